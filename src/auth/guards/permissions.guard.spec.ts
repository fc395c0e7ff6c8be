import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RequirePermissions } from '../../common/decorators/require-permissions.decorator';
import type { Permission } from '../permissions/permissions';
import { ApiRequest } from '../principal';
import { PermissionsGuard } from './permissions.guard';

@RequirePermissions('readLeads')
class Routes {
  inherits() {}
  @RequirePermissions('writeLeads', 'readTeams')
  needsTwo() {}
}

function context(handler: keyof Routes, granted: Permission[] | null): ExecutionContext {
  const req = { account: granted === null ? undefined : { accountId: 1, role: 'user', permissions: new Set(granted) } } as ApiRequest;
  return {
    switchToHttp: () => ({ getRequest: () => req }),
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
  } as unknown as ExecutionContext;
}

describe('PermissionsGuard', () => {
  const guard = new PermissionsGuard(new Reflector());

  it("lets a request through when the account's permissions hold every one the route requires", () => {
    expect(guard.canActivate(context('needsTwo', ['writeLeads', 'readTeams', 'readLeads']))).toBe(true);
    expect(guard.canActivate(context('inherits', ['readLeads']))).toBe(true);
  });

  it('answers 403 naming every missing permission; the handler overrides the class', () => {
    expect(() => guard.canActivate(context('needsTwo', ['readLeads']))).toThrow(
      expect.objectContaining({ response: { error: 'Forbidden', message: 'Missing permission: writeLeads, readTeams' }, status: 403 }),
    );
    expect(() => guard.canActivate(context('inherits', []))).toThrow(expect.objectContaining({ status: 403 }));
  });

  it('refuses a route with requirements when no account was resolved', () => {
    expect(() => guard.canActivate(context('inherits', null))).toThrow(
      expect.objectContaining({ response: { error: 'Forbidden', message: 'Missing permission: readLeads' } }),
    );
  });
});
