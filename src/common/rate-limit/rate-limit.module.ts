import { ExecutionContext, Module, SetMetadata } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ApiRequest } from '../../auth/principal';
import { appConfig, AppConfigType } from '../../config/app-config';
import { normalizeEmail } from '../email';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { DbThrottlerStorage } from './db-throttler.storage';
import { RateLimitBucketsRepository } from './rate-limit-buckets.repository';

export const LOGIN_RATE_LIMITED = 'leads:loginRateLimited';
/** Counts attempts on this route per client IP and per submitted email or API key. */
export const LoginRateLimited = () => SetMetadata(LOGIN_RATE_LIMITED, true);

const WINDOW_MS = 60_000;
const isLogin = (ctx: ExecutionContext) => Reflect.getMetadata(LOGIN_RATE_LIMITED, ctx.getHandler()) === true;
const isPublic = (ctx: ExecutionContext) =>
  Reflect.getMetadata(IS_PUBLIC, ctx.getHandler()) === true || Reflect.getMetadata(IS_PUBLIC, ctx.getClass()) === true;

/** The submitted email as the service compares emails, or the API key exactly as sent (keys are case-sensitive). */
function loginIdentity(req: ApiRequest): string {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.email === 'string') return `email:${normalizeEmail(body.email).slice(0, 320)}`;
  if (typeof body.apiKey === 'string') return `key:${body.apiKey.slice(0, 320)}`;
  return '-';
}

/**
 * The one storage instance: the guard counts with it, and its lifecycle hooks (the purge timer, the
 * last hits sent at shutdown) run on it. A `new` in the factory below would give the guard a second
 * instance that Nest never shuts down.
 */
@Module({
  providers: [RateLimitBucketsRepository, DbThrottlerStorage],
  exports: [DbThrottlerStorage],
})
class RateLimitStorageModule {}

@Module({
  imports: [
    RateLimitStorageModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [appConfig.KEY, DbThrottlerStorage],
      useFactory: (config: AppConfigType, storage: DbThrottlerStorage) => ({
        storage,
        throttlers: [
          {
            name: 'default',
            ttl: WINDOW_MS,
            limit: Math.max(1, config.rateLimitPerMinute),
            skipIf: (ctx) => config.rateLimitPerMinute === 0 || isPublic(ctx),
            getTracker: (raw: Record<string, unknown>) => {
              const req = raw as unknown as ApiRequest;
              const p = req.principal;
              return p ? (p.apiKeyId !== null ? `apikey:${p.apiKeyId}` : `user:${p.userId}`) : `ip:${req.ip}`;
            },
          },
          {
            name: 'login-ip',
            ttl: WINDOW_MS,
            limit: Math.max(1, config.loginRateLimitPerMinute),
            skipIf: (ctx) => config.loginRateLimitPerMinute === 0 || !isLogin(ctx),
            getTracker: (raw: Record<string, unknown>) => (raw as unknown as ApiRequest).ip ?? '-',
          },
          {
            name: 'login-identity',
            ttl: WINDOW_MS,
            limit: Math.max(1, config.loginRateLimitPerMinute),
            skipIf: (ctx) => config.loginRateLimitPerMinute === 0 || !isLogin(ctx),
            getTracker: (raw: Record<string, unknown>) => loginIdentity(raw as unknown as ApiRequest),
          },
        ],
      }),
    }),
  ],
  exports: [RateLimitStorageModule],
})
export class RateLimitModule {}
