import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { ApiError } from '../../common/errors/api-error';
import { ApiRequest } from '../principal';
import { PrincipalService } from '../principal.service';
import { bearerToken, SessionTokens } from '../session-tokens';
import { membershipAccountId } from './account.guard';

/**
 * Global and default-deny: every route needs a valid bearer token unless marked @Public(). Verifies
 * the token, then loads the principal and its membership in the requested account (cached, evicted
 * by every revocation), so a deactivated user, a removed membership or a deleted key stops working at once.
 */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: SessionTokens,
    private readonly principals: PrincipalService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<ApiRequest>();
    const token = bearerToken(req.headers.authorization);
    if (token === null) throw ApiError.unauthorized('A bearer token is required (Authorization: Bearer <token>)');
    const payload = this.tokens.verify(token);
    // Errors while loading the principal (database down) are not authentication failures: they reach
    // the filter as they are (503), so an outage never reads as "your token is invalid".
    // The membership loaded is the one in the account the header names (the account guard answers a bad header).
    const principal = await this.principals.load(payload, token, membershipAccountId(req.headers['x-account-id']));
    if (!principal) throw ApiError.unauthorized('The bearer token is invalid or no longer valid');
    req.principal = principal;
    return true;
  }
}
