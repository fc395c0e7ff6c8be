import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { NO_ACCOUNT } from '../../common/decorators/no-account.decorator';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { ApiError } from '../../common/errors/api-error';
import { MAX_ID } from '../../common/pipes/id-param.pipe';
import { Permission, ROLE_PERMISSIONS } from '../permissions/permissions';
import { ApiRequest } from '../principal';

/** The account id an `x-account-id` header names: a positive digit string; null for anything else. */
export function parseAccountId(raw: string | string[] | undefined): number | null {
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) return null;
  const n = Number(raw);
  return n > 0 ? n : null;
}

/**
 * The account whose membership the principal is loaded with: none for an id beyond the id columns,
 * where no account can exist (PostgreSQL would refuse the value), so the caller is simply not a
 * member there (403), as for any other account that does not exist.
 */
export function membershipAccountId(raw: string | string[] | undefined): number | null {
  const id = parseAccountId(raw);
  return id !== null && id <= MAX_ID ? id : null;
}

/**
 * Resolves `x-account-id` for account-scoped routes (all but @Public/@NoAccount): 400 when missing,
 * 403 when the caller is not an active member (or a key is used outside its own account). The
 * membership was loaded with the principal, so this guard makes no query.
 */
@Injectable()
export class AccountGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(NO_ACCOUNT, targets)) return true;
    const req = context.switchToHttp().getRequest<ApiRequest>();
    const principal = req.principal!;

    const raw = req.headers['x-account-id'];
    if (raw === undefined || raw === '' || Array.isArray(raw)) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'x-account-id header is required');
    }
    const accountId = parseAccountId(raw);
    if (accountId === null) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'x-account-id header must be an account id (a string of digits)');
    }
    if (principal.kind === 'apiKey' && principal.apiKeyAccountId !== accountId) {
      throw ApiError.forbidden('This API key belongs to another account');
    }
    const m = principal.membership;
    if (!m || m.accountId !== accountId || !m.active) {
      throw ApiError.forbidden(`You have no access to account ${raw}`);
    }
    let permissions: Permission[] = [...ROLE_PERMISSIONS[m.role]];
    if (principal.kind === 'apiKey') {
      const keyPermissions = new Set(principal.apiKeyPermissions ?? []);
      permissions = permissions.filter((p) => keyPermissions.has(p));
    }
    req.account = { accountId, role: m.role, permissions: new Set(permissions), duplicateLeadPolicy: m.duplicateLeadPolicy };
    return true;
  }
}
