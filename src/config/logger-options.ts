import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from './configuration';

/** Header values that never reach the logs. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-api-secret"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

/** One JSON line per request in production; readable single lines in development. */
export function loggerOptions(config: AppConfig): Params {
  const pretty = !config.isProduction && config.nodeEnv !== 'test' && config.logLevel !== 'silent';
  return {
    pinoHttp: {
      level: config.logLevel,
      transport: pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } : undefined,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[REDACTED]' },
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // One line per request only when info lines are wanted at all: above info, building them is wasted work.
      autoLogging: ['info', 'debug', 'trace'].includes(config.logLevel) ? { ignore: (req: IncomingMessage) => req.url === '/health' } : false,
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      serializers: {
        req: (req: { id: string; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          headers: req.headers,
          remoteAddress: req.remoteAddress,
        }),
      },
    },
  };
}
