import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public } from '../../common/decorators/public.decorator';
import { ApiError } from '../../common/errors/api-error';
import { ApiRequest, Principal } from '../principal';
import { PrincipalService, TokenPayload } from '../principal.service';
import { SessionTokens } from '../session-tokens';
import { BearerGuard } from './bearer.guard';

class Routes {
  @Public()
  open() {}
  closed() {}
}

const PAYLOAD: TokenPayload = { sub: '7', typ: 'user', exp: 2_000_000_000 };
const PRINCIPAL = { kind: 'user', userId: 7, email: 'rep@example.com' } as Principal;

function setup(opts: { verify?: () => TokenPayload; principal?: Principal | null; loadError?: Error } = {}) {
  const tokens = { verify: jest.fn(opts.verify ?? (() => PAYLOAD)) } as unknown as SessionTokens;
  const load = jest.fn(async () => {
    if (opts.loadError) throw opts.loadError;
    return opts.principal === undefined ? PRINCIPAL : opts.principal;
  });
  const guard = new BearerGuard(new Reflector(), tokens, { load } as unknown as PrincipalService);
  return { guard, tokens, load };
}

function context(handler: keyof Routes, headers: Record<string, string> = {}) {
  const req = { headers } as ApiRequest;
  const ctx = {
    switchToHttp: () => ({ getRequest: () => req }),
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
  } as unknown as ExecutionContext;
  return { ctx, req };
}

const unauthorized = (message: string) => expect.objectContaining({ status: 401, response: { error: 'Unauthorized', message } });

describe('BearerGuard', () => {
  it('lets @Public() routes through without a token and without loading anyone', async () => {
    const { guard, load } = setup();
    await expect(guard.canActivate(context('open').ctx)).resolves.toBe(true);
    expect(load).not.toHaveBeenCalled();
  });

  it('answers 401 without a bearer token, or with a malformed Authorization header', async () => {
    const { guard } = setup();
    await expect(guard.canActivate(context('closed').ctx)).rejects.toEqual(
      unauthorized('A bearer token is required (Authorization: Bearer <token>)'),
    );
    await expect(guard.canActivate(context('closed', { authorization: 'Basic abc' }).ctx)).rejects.toEqual(
      unauthorized('A bearer token is required (Authorization: Bearer <token>)'),
    );
  });

  it("passes on the token's own 401 (bad signature, expired) and loads nobody", async () => {
    const { guard, load } = setup({
      verify: () => {
        throw ApiError.unauthorized('The bearer token has expired');
      },
    });
    await expect(guard.canActivate(context('closed', { authorization: 'Bearer t' }).ctx)).rejects.toEqual(
      unauthorized('The bearer token has expired'),
    );
    expect(load).not.toHaveBeenCalled();
  });

  it('loads the principal with its membership in the account the header names, and sets it on the request', async () => {
    const { guard, load } = setup();
    const { ctx, req } = context('closed', { authorization: 'Bearer tok', 'x-account-id': '42' });
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(load).toHaveBeenCalledWith(PAYLOAD, 'tok', 42);
    expect(req.principal).toBe(PRINCIPAL);
    await guard.canActivate(context('closed', { authorization: 'Bearer tok', 'x-account-id': 'abc' }).ctx);
    expect(load).toHaveBeenLastCalledWith(PAYLOAD, 'tok', null);
  });

  it('answers 401 when the user or key behind a valid token is gone or inactive', async () => {
    const { guard } = setup({ principal: null });
    await expect(guard.canActivate(context('closed', { authorization: 'Bearer tok' }).ctx)).rejects.toEqual(
      unauthorized('The bearer token is invalid or no longer valid'),
    );
  });

  it('lets a database error through as it is (the filter answers 503), never as a 401', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { guard } = setup({ loadError: down });
    await expect(guard.canActivate(context('closed', { authorization: 'Bearer tok' }).ctx)).rejects.toBe(down);
  });
});
