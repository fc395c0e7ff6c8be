import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerRequest } from '@nestjs/throttler/dist/throttler.guard.interface';
import type { FastifyReply } from 'fastify';
import type { ApiRequest } from '../../auth/principal';
import { ApiError } from '../errors/api-error';

/**
 * @nestjs/throttler with the IETF `RateLimit-Limit/Remaining/Reset` headers and our error body.
 * Runs after the bearer guard, so the general budget is counted per principal (user or API key);
 * the login throttlers count per client IP and per submitted email/key.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const req = context.switchToHttp().getRequest<ApiRequest>();
    const res = context.switchToHttp().getResponse<FastifyReply>();
    const tracker = await getTracker(req, context);
    const key = generateKey(context, tracker, throttler.name ?? 'default');
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, throttler.name ?? 'default');
    if (throttler.name === 'default') {
      res.header('RateLimit-Limit', limit);
      res.header('RateLimit-Remaining', Math.max(0, limit - record.totalHits));
      res.header('RateLimit-Reset', record.timeToExpire);
    }
    if (record.isBlocked) {
      res.header('Retry-After', record.timeToBlockExpire);
      throw new ApiError(
        HttpStatus.TOO_MANY_REQUESTS,
        'Too Many Requests',
        throttler.name === 'default'
          ? `Rate limit of ${limit} requests per minute exceeded; retry in ${record.timeToBlockExpire} s`
          : `Too many login attempts; retry in ${record.timeToBlockExpire} s`,
      );
    }
    return true;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}
