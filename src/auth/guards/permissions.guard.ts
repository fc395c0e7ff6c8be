import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { REQUIRED_PERMISSIONS } from '../../common/decorators/require-permissions.decorator';
import { missingPermissions, type Permission } from '../permissions/permissions';
import { ApiRequest } from '../principal';

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
    if (missing.length) throw missingPermissions(missing);
    return true;
  }
}
