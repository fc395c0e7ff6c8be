import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress } from './webhook-addresses';

/** Resolves a host name to every address it has (`dns.lookup` with `all`). */
export type HostResolver = (host: string) => Promise<string[]>;

export const resolveHost: HostResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** The problem with a webhook URL's form (http or https, no credentials), or null. */
export function urlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an absolute http or https URL';
  if (url.username || url.password) return 'must not contain credentials (deliveries are signed instead)';
  if (!url.hostname) return 'must name a host';
  return null;
}

/** The host of a webhook URL as a connection names it (an IPv6 literal without its brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Why `host`, resolving to `addresses`, must not be posted to when private targets are not allowed, or null. */
export function addressesProblem(host: string, addresses: readonly string[]): string | null {
  if (!addresses.length) return `host ${host} does not resolve`;
  const refused = addresses.find(isPrivateAddress);
  return refused === undefined ? null : `host ${host} resolves to a private, loopback or link-local address (${refused})`;
}

/**
 * Why `raw` is refused as a webhook URL (at create and update) when private targets are not allowed:
 * its host is, or resolves to, a loopback, private, link-local or unspecified address (any of its
 * addresses), or does not resolve. Null when every address is public. Deliveries check the address
 * they connect to instead (WebhookHttpClient).
 */
export async function privateTargetProblem(raw: string, resolve: HostResolver = resolveHost): Promise<string | null> {
  const host = hostOf(new URL(raw));
  if (isIP(host)) return addressesProblem(host, [host]);
  try {
    return addressesProblem(host, await resolve(host));
  } catch {
    return `host ${host} does not resolve`;
  }
}
