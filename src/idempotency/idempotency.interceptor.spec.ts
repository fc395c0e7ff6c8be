import { CallHandler, ExecutionContext, HttpCode } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { defer, lastValueFrom, of } from 'rxjs';
import type { ApiRequest, Principal } from '../auth/principal';
import { IdempotencyInterceptor, IdempotencyRedact } from './idempotency.interceptor';
import { IdempotencyService } from './idempotency.service';

class Routes {
  create() {}
  @HttpCode(200)
  action() {}
  @IdempotencyRedact('secret')
  createKey() {}
}

const PRINCIPAL = { kind: 'user', userId: 7, email: 'rep@example.com', apiKeyId: null } as Principal;

function setup(execute?: IdempotencyService['execute']) {
  const service = { execute: jest.fn(execute ?? ((_req, _res, _key, _status, handler) => handler())) };
  const interceptor = new IdempotencyInterceptor(service as unknown as IdempotencyService, new Reflector());
  return { interceptor, execute: service.execute };
}

function context(method: string, handler: keyof Routes, headers: Record<string, string> = {}, principal: Principal | null = PRINCIPAL) {
  const req = { method, headers, principal: principal ?? undefined, originalUrl: '/teams', body: {} } as ApiRequest;
  const res = { setHeader: jest.fn() };
  const ctx = {
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
  } as unknown as ExecutionContext;
  return { ctx, req, res };
}

/** A handler that counts how often it actually ran. */
function handler(value: unknown) {
  const runs = { count: 0 };
  const next: CallHandler = { handle: () => defer(() => (runs.count++, of(value))) };
  return { next, runs };
}

describe('IdempotencyInterceptor', () => {
  it('passes a POST without Idempotency-Key straight to the handler', async () => {
    const { interceptor, execute } = setup();
    const { next, runs } = handler({ id: 1 });
    await expect(lastValueFrom(interceptor.intercept(context('POST', 'create').ctx, next))).resolves.toEqual({ id: 1 });
    expect(runs.count).toBe(1);
    expect(execute).not.toHaveBeenCalled();
  });

  it('passes other methods through even with a key, and unauthenticated requests (login)', async () => {
    const { interceptor, execute } = setup();
    for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) {
      const { next } = handler('ok');
      await expect(lastValueFrom(interceptor.intercept(context(method, 'create', { 'idempotency-key': 'k-1' }).ctx, next))).resolves.toBe(
        'ok',
      );
    }
    const { next } = handler({ token: 't' });
    await expect(
      lastValueFrom(interceptor.intercept(context('POST', 'action', { 'idempotency-key': 'k-1' }, null).ctx, next)),
    ).resolves.toEqual({
      token: 't',
    });
    expect(execute).not.toHaveBeenCalled();
  });

  it("runs a keyed POST through the service with the route's status, answering what the service answers", async () => {
    const { interceptor, execute } = setup();
    const { ctx, req, res } = context('POST', 'create', { 'idempotency-key': 'k-1' });
    const { next, runs } = handler({ id: 9 });
    await expect(lastValueFrom(interceptor.intercept(ctx, next))).resolves.toEqual({ id: 9 });
    expect(execute).toHaveBeenCalledWith(req, res, 'k-1', 201, expect.any(Function), []);
    expect(runs.count).toBe(1);

    const action = context('POST', 'action', { 'idempotency-key': 'k-2' });
    await lastValueFrom(interceptor.intercept(action.ctx, handler(null).next));
    expect(execute).toHaveBeenLastCalledWith(action.req, action.res, 'k-2', 200, expect.any(Function), []);
  });

  it('leaves the handler unrun when the service replays a stored response', async () => {
    const { interceptor } = setup(async () => ({ id: 9, replayed: true }));
    const { next, runs } = handler({ id: 10 });
    await expect(lastValueFrom(interceptor.intercept(context('POST', 'create', { 'idempotency-key': 'k-1' }).ctx, next))).resolves.toEqual({
      id: 9,
      replayed: true,
    });
    expect(runs.count).toBe(0);
  });

  it('hands the fields of @IdempotencyRedact to the service', async () => {
    const { interceptor, execute } = setup();
    await lastValueFrom(
      interceptor.intercept(context('POST', 'createKey', { 'idempotency-key': 'k-1' }).ctx, handler({ secret: 's' }).next),
    );
    expect(execute.mock.calls[0][5]).toEqual(['secret']);
  });

  it('answers 400 for a malformed key without running anything', () => {
    const { interceptor, execute } = setup();
    const { next, runs } = handler({ id: 1 });
    expect(() => interceptor.intercept(context('POST', 'create', { 'idempotency-key': 'has space' }).ctx, next)).toThrow(
      expect.objectContaining({ status: 400, response: expect.objectContaining({ error: 'Invalid Idempotency-Key' }) }),
    );
    expect(execute).not.toHaveBeenCalled();
    expect(runs.count).toBe(0);
  });
});
