import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiError } from '../common/errors/api-error';
import type { TokenPayload } from './principal.service';

export const JWT_ALGORITHM = 'HS256';

/** How many verified tokens are remembered per process (a few hundred bytes each). */
export const VERIFIED_TOKENS_MAX = 10_000;

/** A verified payload: every accepted token expires. */
type VerifiedPayload = TokenPayload & { exp: number };

const BEARER = /^bearer +([^\s]+) *$/i;

/** The token of an `Authorization: Bearer <token>` header; null for no header or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = BEARER.exec(header);
  return match ? match[1] : null;
}

/**
 * Verifies session tokens: signed with our secret by the one algorithm we sign with (so `alg: none`
 * and algorithm confusion are refused), carrying a numeric `exp` (a token that never expires is
 * refused, whoever signed it), not expired.
 *
 * A token's signature, once verified, is remembered until the token expires: the same token arrives
 * with every request of a session, and checking its signature again (decode, HMAC, claims) was 4–5 %
 * of a simple request's CPU. What is remembered is only that this exact string is a
 * valid signed token with this payload, which never stops being true; its expiry is still checked on
 * every request, and who the token stands for (user active, membership, key) is the principal
 * cache's business, which every revocation evicts (docs/PRINCIPAL-CACHE.md).
 */
@Injectable()
export class SessionTokens {
  private readonly verified = new Map<string, VerifiedPayload>();

  constructor(private readonly jwt: JwtService) {}

  /** The token's payload; a 401 ApiError when it is invalid or expired. */
  verify(token: string, now = Date.now()): TokenPayload {
    const known = this.verified.get(token);
    if (known !== undefined) {
      // jsonwebtoken's own rule: expired once the current whole second reaches `exp`.
      if (Math.floor(now / 1000) < known.exp) return known;
      this.verified.delete(token);
      throw ApiError.unauthorized('The bearer token has expired');
    }
    let payload: TokenPayload | null;
    try {
      payload = this.jwt.verify<TokenPayload>(token, { clockTimestamp: Math.floor(now / 1000) });
    } catch (err) {
      if ((err as Error | undefined)?.name === 'TokenExpiredError') throw ApiError.unauthorized('The bearer token has expired');
      throw ApiError.unauthorized('The bearer token is invalid or no longer valid');
    }
    // jsonwebtoken checks `exp` only when present (and refuses a non-numeric one): require it, so
    // only tokens that expire are accepted, and remembered.
    if (typeof payload !== 'object' || payload === null || typeof payload.exp !== 'number') {
      throw ApiError.unauthorized('The bearer token is invalid or no longer valid');
    }
    const verified = Object.freeze(payload as VerifiedPayload);
    // Bounded: past the limit the oldest entry goes (a Map iterates in insertion order).
    if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, verified);
    return verified;
  }

  /** How many tokens are remembered (for tests). */
  get size(): number {
    return this.verified.size;
  }
}
