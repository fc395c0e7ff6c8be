import type { Params } from 'nestjs-pino';
import { sanitizeHeaders, sanitizePath } from '../audit/sanitize';
import type { AppConfig } from './configuration';

/**
 * The root logger of the application (nestjs-pino's Logger, built by pino-http from these options).
 * nestjs-pino's per-request middleware is not mounted (`forRoutes: []`): request ids and the one
 * line per request come from `requestLog` (src/common/logging/request-log.ts), which needs no
 * AsyncLocalStorage. Lines are JSON in production, readable single lines in development.
 * Secrets are masked by the audit log's rule (src/audit/sanitize.ts) in every line that logs a
 * request or a response: header values and query values named like a secret.
 */
export function loggerOptions(config: AppConfig): Params {
  const pretty = !config.isProduction && config.nodeEnv !== 'test' && config.logLevel !== 'silent';
  return {
    forRoutes: [],
    pinoHttp: {
      level: config.logLevel,
      transport: pretty
        ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }
        : undefined,
      serializers: {
        req: (req: { id: string; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: sanitizePath(req.url),
          headers: sanitizeHeaders(req.headers),
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number | null; headers?: Record<string, unknown> }) => ({
          statusCode: res.statusCode,
          headers: sanitizeHeaders(res.headers ?? {}),
        }),
      },
    },
  };
}
