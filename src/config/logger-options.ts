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

/**
 * The root logger of the application (nestjs-pino's Logger, built by pino-http from these options).
 * nestjs-pino's per-request middleware is not mounted (`forRoutes: []`): request ids and the one
 * line per request come from `requestLog` (src/common/logging/request-log.ts), which needs no
 * AsyncLocalStorage. Lines are JSON in production, readable single lines in development.
 */
export function loggerOptions(config: AppConfig): Params {
  const pretty = !config.isProduction && config.nodeEnv !== 'test' && config.logLevel !== 'silent';
  return {
    forRoutes: [],
    pinoHttp: {
      level: config.logLevel,
      transport: pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } : undefined,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[REDACTED]' },
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
