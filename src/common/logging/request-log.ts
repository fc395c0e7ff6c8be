import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { routePathOf } from '../http/path-of';

const INCOMING_ID = /^[\w.-]{1,100}$/;
const LINE_LEVELS: ReadonlySet<string> = new Set(['info', 'debug', 'trace']);

/** The level of a request's line: 5xx are errors, 4xx warnings. */
function requestLineLevel(statusCode: number): 'error' | 'warn' | 'info' {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

/** Fastify's `genReqId`: a well-formed incoming `x-request-id`, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * First hook of every request: answers its id (see `requestIdOf`) in `x-request-id` and, when the
 * log level shows info lines, writes one line per request (not for /health) once the response is
 * done.
 *
 * Not nestjs-pino's per-request middleware, which binds a child logger to each request through
 * AsyncLocalStorage: on Node 20 that keeps promise hooks on for every promise (a quarter of a simple
 * request's CPU). Application logs go to the root logger; the exception filter names the request id
 * in the lines it writes about a request.
 */
export function requestLog(level: string) {
  const writeLines = LINE_LEVELS.has(level);
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    reply.header('x-request-id', req.id);
    if (writeLines && routePathOf(req) !== '/health') {
      const start = Date.now();
      const res = reply.raw;
      // 'close' follows 'finish' for every response, and is the only event of an aborted one.
      res.once('close', () => {
        // Fastify writes its headers with writeHead, which Node's getHeaders() does not show; the reply has them all.
        const shown = { statusCode: res.statusCode, headersSent: res.headersSent, getHeaders: () => reply.getHeaders() };
        const line = { req, res: shown, responseTime: Date.now() - start };
        const logger = PinoLogger.root;
        if (res.writableFinished) logger[requestLineLevel(res.statusCode)](line, 'request completed');
        else logger.warn(line, 'request aborted before the response was sent');
      });
    }
    done();
  };
}
