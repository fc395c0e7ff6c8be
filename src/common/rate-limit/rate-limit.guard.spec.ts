import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { ApiRequest } from '../../auth/principal';
import { RateLimitGuard } from './rate-limit.guard';

class Routes {
  list() {}
}

/** Fixed-window counters in memory: the storage contract the guard relies on. */
function memoryStorage(): ThrottlerStorage {
  const hits = new Map<string, number>();
  return {
    increment: async (key: string, _ttl: number, limit: number) => {
      const total = (hits.get(key) ?? 0) + 1;
      hits.set(key, total);
      const blocked = total > limit;
      return { totalHits: total, timeToExpire: 42, isBlocked: blocked, timeToBlockExpire: blocked ? 42 : 0 };
    },
  };
}

const byHeader = (raw: Record<string, unknown>) => String((raw as unknown as ApiRequest).headers['x-client']);

async function setup(throttlerName: string, limit: number) {
  const options: ThrottlerModuleOptions = [{ name: throttlerName, ttl: 60_000, limit, getTracker: byHeader }];
  const guard = new RateLimitGuard(options, memoryStorage(), new Reflector());
  await guard.onModuleInit();
  return guard;
}

function context(client: string) {
  const req = { headers: { 'x-client': client } } as unknown as ApiRequest;
  const headers: Record<string, unknown> = {};
  const set = (name: string, value: unknown) => void (headers[name] = value);
  const res = { setHeader: set, header: set };
  const ctx = {
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
    getHandler: () => Routes.prototype.list,
    getClass: () => Routes,
  } as unknown as ExecutionContext;
  return { ctx, headers };
}

describe('RateLimitGuard', () => {
  it('lets requests within the budget through, announcing the budget in RateLimit headers', async () => {
    const guard = await setup('default', 2);
    const first = context('user:1');
    await expect(guard.canActivate(first.ctx)).resolves.toBe(true);
    expect(first.headers).toEqual({ 'RateLimit-Limit': 2, 'RateLimit-Remaining': 1, 'RateLimit-Reset': 42 });
    const second = context('user:1');
    await expect(guard.canActivate(second.ctx)).resolves.toBe(true);
    expect(second.headers['RateLimit-Remaining']).toBe(0);
  });

  it('answers 429 with Retry-After beyond the budget, counted per caller', async () => {
    const guard = await setup('default', 1);
    await guard.canActivate(context('user:1').ctx);
    const over = context('user:1');
    await expect(guard.canActivate(over.ctx)).rejects.toEqual(
      expect.objectContaining({
        status: 429,
        response: { error: 'Too Many Requests', message: 'Rate limit of 1 requests per minute exceeded; retry in 42 s' },
      }),
    );
    expect(over.headers['Retry-After']).toBe(42);
    await expect(guard.canActivate(context('user:2').ctx)).resolves.toBe(true);
  });

  it('answers login throttling in its own words, without the general RateLimit headers', async () => {
    const guard = await setup('login-ip', 1);
    const first = context('203.0.113.9');
    await guard.canActivate(first.ctx);
    expect(first.headers).toEqual({});
    const over = context('203.0.113.9');
    await expect(guard.canActivate(over.ctx)).rejects.toEqual(
      expect.objectContaining({ status: 429, response: { error: 'Too Many Requests', message: 'Too many login attempts; retry in 42 s' } }),
    );
    expect(over.headers).toEqual({ 'Retry-After': 42 });
  });
});
