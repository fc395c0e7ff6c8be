import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Permission } from '../../auth/permissions/permissions';
import { ApiRequest } from '../../auth/principal';
import { REQUIRED_PERMISSIONS } from '../decorators/require-permissions.decorator';
import { ApiError } from '../errors/api-error';

/** Enforces @RequirePermissions(...) against the permissions the account guard resolved. */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSIONS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required?.length) return true;
    const req = context.switchToHttp().getRequest<ApiRequest>();
    const granted = req.account?.permissions;
    const missing = required.filter((p) => !granted?.has(p));
    if (missing.length) throw ApiError.forbidden(`Missing permission: ${missing.join(', ')}`);
    return true;
  }
}
