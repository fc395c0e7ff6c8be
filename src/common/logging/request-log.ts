import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

const INCOMING_ID = /^[\w.-]{1,100}$/;
const LINE_LEVELS: ReadonlySet<string> = new Set(['info', 'debug', 'trace']);

/** The level of a request's line: 5xx are errors, 4xx warnings. */
function requestLineLevel(statusCode: number): 'error' | 'warn' | 'info' {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

/**
 * First middleware of every request: gives it an id (a well-formed incoming `x-request-id`, else a
 * new UUID), answers it in `x-request-id`, and, when the log level shows info lines, writes one line
 * per request (not for /health) once the response is done.
 *
 * This replaces nestjs-pino's per-request middleware, which bound a child logger to each request
 * through AsyncLocalStorage: on Node 20 that kept promise hooks on for every promise (a quarter of a
 * simple request's CPU, see ScopedStore). Application logs go to the root logger; the exception
 * filter names the request id in the lines it writes about a request.
 */
export function requestLog(level: string) {
  const writeLines = LINE_LEVELS.has(level);
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('x-request-id', id);
    if (writeLines && req.url !== '/health') {
      const start = Date.now();
      // 'close' follows 'finish' for every response, and is the only event of an aborted one.
      res.once('close', () => {
        const line = { req, res, responseTime: Date.now() - start };
        const logger = PinoLogger.root;
        if (res.writableFinished) logger[requestLineLevel(res.statusCode)](line, 'request completed');
        else logger.warn(line, 'request aborted before the response was sent');
      });
    }
    next();
  };
}
