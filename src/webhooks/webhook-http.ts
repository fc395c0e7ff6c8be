import { lookup as dnsLookup, LookupAddress, LookupAllOptions } from 'node:dns';
import { Agent as HttpAgent, ClientRequest, OutgoingHttpHeaders, request as httpRequest, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { addressesProblem, hostOf } from './webhook-targets';

/** An attempt not sent: its host is, or resolves to, an address deliveries must not reach. */
export class RefusedTargetError extends Error {
  readonly code = 'EWEBHOOKREFUSED';
}

/** An attempt that got no complete answer within its timeout. */
export class AttemptTimeoutError extends Error {
  readonly code = 'EWEBHOOKTIMEOUT';
}

/** `dns.lookup` of every address of a host. */
export type LookupAll = (
  host: string,
  options: LookupAllOptions,
  callback: (err: Error | null, addresses: LookupAddress[]) => void,
) => void;

const lookupAll: LookupAll = (host, options, callback) => dnsLookup(host, options, callback);

/**
 * The `lookup` of the sockets to receivers when private targets are not allowed: it resolves the
 * host once and refuses it when any address is private, so the address connected to is the one
 * checked (no second resolution an attacker's DNS could answer differently).
 */
export function guardedLookup(resolve: LookupAll = lookupAll): LookupFunction {
  return (host, options, callback) => {
    resolve(host, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const problem = addressesProblem(
        host,
        addresses.map((a) => a.address),
      );
      if (problem) return callback(new RefusedTargetError(problem), '', 0);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** How long a pooled connection to a receiver may stay idle. */
const IDLE_SOCKET_MS = 2000;
/** Parsed URLs kept (webhooks are few; the map is cleared when full). */
const MAX_CACHED_URLS = 1000;
/** Connection errors after which a request on a pooled connection is sent once more on a new one. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
}

/**
 * Posts deliveries with Node's own HTTP client over keep-alive connections (at most `sockets` per
 * receiver origin). Redirects are not followed (a 3xx is the answer), the answer's body is read and
 * discarded, and the timeout bounds the whole attempt, connection and answer included. When private
 * targets are not allowed, the connection's own lookup refuses private addresses (see
 * guardedLookup) and a literal private address is refused before any connection.
 */
export class WebhookHttpClient {
  private readonly open: Agents;
  private readonly guarded: Agents;
  private readonly urls = new Map<string, URL>();

  constructor(sockets: number, lookup: LookupFunction = guardedLookup()) {
    const base = { keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const };
    this.open = { http: new HttpAgent(base), https: new HttpsAgent(base) };
    this.guarded = { http: new HttpAgent({ ...base, lookup }), https: new HttpsAgent({ ...base, lookup }) };
  }

  /** The answer's status code; rejects with RefusedTargetError, AttemptTimeoutError or the connection's error. */
  post(raw: string, headers: OutgoingHttpHeaders, body: string, opts: { timeoutMs: number; allowPrivate: boolean }): Promise<number> {
    const url = this.parse(raw);
    const host = hostOf(url);
    if (!opts.allowPrivate && isIP(host)) {
      const problem = addressesProblem(host, [host]);
      if (problem) return Promise.reject(new RefusedTargetError(problem));
    }
    const agents = opts.allowPrivate ? this.open : this.guarded;
    const https = url.protocol === 'https:';
    const options: RequestOptions = {
      agent: https ? agents.https : agents.http,
      hostname: host,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
    };
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      let status: number | null = null;
      let req: ClientRequest;
      const settle = (error: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (status !== null) resolve(status);
        else reject(error ?? new Error('no answer'));
      };
      const timer = setTimeout(() => {
        // An answer whose body is still arriving counts by its status, as if the body were discarded.
        settle(new AttemptTimeoutError(`no answer within ${opts.timeoutMs} ms`));
        req.destroy();
      }, opts.timeoutMs);
      const send = (mayResend: boolean) => {
        req = (https ? httpsRequest : httpRequest)(options, (res) => {
          status = res.statusCode ?? null;
          res.on('end', () => settle(null));
          res.on('close', () => settle(null));
          // A body cut short (the connection closed, or destroyed at the timeout): the status stands.
          res.on('error', () => settle(null));
          res.resume();
        });
        req.on('error', (e: NodeJS.ErrnoException) => {
          if (settled) return;
          // A pooled connection the receiver closed while idle: nothing of this request was answered.
          if (mayResend && status === null && req.reusedSocket && STALE_SOCKET_CODES.has(e.code ?? '')) return send(false);
          settle(e);
        });
        req.end(body);
      };
      send(true);
    });
  }

  /** Closes the pooled connections. */
  destroy(): void {
    for (const agent of [this.open.http, this.open.https, this.guarded.http, this.guarded.https]) agent.destroy();
  }

  private parse(raw: string): URL {
    let url = this.urls.get(raw);
    if (!url) {
      if (this.urls.size >= MAX_CACHED_URLS) this.urls.clear();
      url = new URL(raw);
      this.urls.set(raw, url);
    }
    return url;
  }
}
