import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { ApiRequest } from './principal';
import { PrincipalService, TokenPayload } from './principal.service';

export const JWT_ALGORITHM = 'HS256';
const bearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/** Parses `x-account-id`; null when absent or not a digit string (the account guard reports it). */
export function headerAccountId(req: ApiRequest): number | null {
  const raw = req.headers['x-account-id'];
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) return null;
  const n = Number(raw);
  return n > 0 ? n : null;
}

/**
 * Verifies the bearer token with the one algorithm we sign with (so `alg: none` and RS/HS confusion
 * are refused), then loads the principal and its membership in the requested account.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @InjectAppConfig() config: AppConfigType,
    private readonly principals: PrincipalService,
  ) {
    super({
      jwtFromRequest: bearer,
      // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it
      // as a public key on every verification, which cost a third of a simple request's CPU.
      // (passport-jwt hands it to jsonwebtoken unchanged; its types predate KeyObject support.)
      secretOrKey: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  async validate(req: ApiRequest, payload: TokenPayload) {
    const token = bearer(req) as string;
    const principal = await this.principals.load(payload, token, headerAccountId(req));
    return principal ?? false;
  }
}
