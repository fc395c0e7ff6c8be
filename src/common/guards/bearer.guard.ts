import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiRequest, Principal } from '../../auth/principal';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { ApiError } from '../errors/api-error';

/** Global and default-deny: every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class BearerGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    await super.canActivate(context);
    const req = context.switchToHttp().getRequest<ApiRequest & { user?: Principal }>();
    req.principal = req.user;
    return true;
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    // Errors raised while loading the principal (database down) are not authentication failures:
    // let the filter map them (503), so an outage never reads as "your token is invalid".
    if (err) throw err;
    if (!user) {
      const name = (info as { name?: string } | undefined)?.name;
      if (name === 'TokenExpiredError') throw ApiError.unauthorized('The bearer token has expired');
      if (info instanceof Error && /No auth token/i.test(info.message)) {
        throw ApiError.unauthorized('A bearer token is required (Authorization: Bearer <token>)');
      }
      throw ApiError.unauthorized('The bearer token is invalid or no longer valid');
    }
    return user;
  }
}
