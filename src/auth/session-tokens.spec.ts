import { createHmac, createSecretKey } from 'node:crypto';
import { HttpException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { bearerToken, JWT_ALGORITHM, SessionTokens, VERIFIED_TOKENS_MAX } from './session-tokens';

const SECRET = 'unit-secret-0123456789-0123456789';
const INVALID = { error: 'Unauthorized', message: 'The bearer token is invalid or no longer valid' };
const EXPIRED = { error: 'Unauthorized', message: 'The bearer token has expired' };

function rejection(fn: () => unknown): { status: number; body: unknown } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpException);
    return { status: (err as HttpException).getStatus(), body: (err as HttpException).getResponse() };
  }
  throw new Error('expected a rejection');
}

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER  abc ', 'abc'],
    [undefined, null],
    ['', null],
    ['Bearer', null],
    ['Bearer ', null],
    ['Basic YTpi', null],
    ['Bearer a b', null],
    ['Bearerabc', null],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('SessionTokens', () => {
  // As the module configures it: the secret as a KeyObject, HS256 only.
  const jwt = new JwtService({
    secret: createSecretKey(Buffer.from(SECRET, 'utf8')) as unknown as Buffer,
    signOptions: { algorithm: JWT_ALGORITHM, expiresIn: 3600 },
    verifyOptions: { algorithms: [JWT_ALGORITHM] },
  });
  const now = Date.UTC(2026, 10, 26, 12, 0, 0);
  const iat = Math.floor(now / 1000);
  const sign = (payload: object, options: Parameters<JwtService['sign']>[1] = {}) => jwt.sign({ iat, ...payload }, options);
  let tokens: SessionTokens;
  let verify: jest.SpyInstance;

  beforeEach(() => {
    tokens = new SessionTokens(jwt);
    verify = jest.spyOn(jwt, 'verify');
  });
  afterEach(() => verify.mockRestore());

  it('returns the payload, and checks the signature of a token only the first time it sees it', () => {
    const token = sign({ sub: '7', typ: 'user' });
    expect(tokens.verify(token, now)).toEqual({ sub: '7', typ: 'user', iat, exp: iat + 3600 });
    expect(tokens.verify(token, now + 1000)).toEqual({ sub: '7', typ: 'user', iat, exp: iat + 3600 });
    expect(verify).toHaveBeenCalledTimes(1);
    expect(tokens.size).toBe(1);
  });

  it('still refuses a remembered token once it expires, and forgets it', () => {
    const token = sign({ sub: '7', typ: 'user' }, { expiresIn: 10 });
    expect(tokens.verify(token, now + 9_999).sub).toBe('7');
    expect(rejection(() => tokens.verify(token, now + 10_000))).toEqual({ status: 401, body: EXPIRED });
    expect(tokens.size).toBe(0);
    // Not remembered any more: jsonwebtoken itself refuses it now.
    expect(rejection(() => tokens.verify(token, now + 10_000))).toEqual({ status: 401, body: EXPIRED });
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('refuses an expired token it has never seen', () => {
    const token = sign({ sub: '7', typ: 'user' }, { expiresIn: 10 });
    expect(rejection(() => tokens.verify(token, now + 60_000))).toEqual({ status: 401, body: EXPIRED });
    expect(tokens.size).toBe(0);
  });

  it('refuses forged, foreign, alg none and other-algorithm tokens, and remembers none of them', () => {
    const good = sign({ sub: '7', typ: 'user' });
    const [header, body] = good.split('.');
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const bad = [
      'not-a-jwt',
      'a.b.c',
      `${header}.${body}.${Buffer.alloc(32, 1).toString('base64url')}`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${body}.`,
      sign({ sub: '7', typ: 'user' }, { secret: 'another-secret-0123456789-0123456789' }),
      sign({ sub: '7', typ: 'user' }, { algorithm: 'HS512' }),
    ];
    for (const token of bad) {
      expect(rejection(() => tokens.verify(token, now))).toEqual({ status: 401, body: INVALID });
      // The same answer the second time: a refused token is checked again, never remembered.
      expect(rejection(() => tokens.verify(token, now))).toEqual({ status: 401, body: INVALID });
    }
    expect(tokens.size).toBe(0);
    expect(verify).toHaveBeenCalledTimes(bad.length * 2);
  });

  it('refuses a token without exp, or with a non-numeric exp, though rightly signed, and remembers neither', () => {
    // Signed by hand with the right secret: jsonwebtoken's sign always adds the module's exp, and
    // refuses a non-numeric one.
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const hs256 = (payload: object) => {
      const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
      return `${unsigned}.${createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`;
    };
    const valid = hs256({ iat, sub: '7', typ: 'user', exp: iat + 3600 });
    expect(tokens.verify(valid, now).sub).toBe('7');
    const refused = [
      hs256({ iat, sub: '7', typ: 'user' }),
      hs256({ iat, sub: '7', typ: 'user', exp: String(iat + 3600) }),
      hs256({ iat, sub: '7', typ: 'user', exp: null }),
    ];
    for (const token of refused) {
      expect(rejection(() => tokens.verify(token, now))).toEqual({ status: 401, body: INVALID });
      expect(rejection(() => tokens.verify(token, now))).toEqual({ status: 401, body: INVALID });
    }
    expect(tokens.size).toBe(1);
  });

  it(`remembers at most ${VERIFIED_TOKENS_MAX} tokens, forgetting the oldest first`, () => {
    const all = Array.from({ length: VERIFIED_TOKENS_MAX + 1 }, (_, i) => sign({ sub: String(i + 1), typ: 'user' }));
    for (const token of all) tokens.verify(token, now);
    expect(tokens.size).toBe(VERIFIED_TOKENS_MAX);
    verify.mockClear();
    tokens.verify(all[VERIFIED_TOKENS_MAX], now);
    tokens.verify(all[1], now);
    expect(verify).toHaveBeenCalledTimes(0);
    // The first was evicted: checked again (and now the second-oldest goes).
    expect(tokens.verify(all[0], now).sub).toBe('1');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(tokens.size).toBe(VERIFIED_TOKENS_MAX);
  });
});
