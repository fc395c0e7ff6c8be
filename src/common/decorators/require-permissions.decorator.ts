import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse } from '@nestjs/swagger';
import type { Permission } from '../../auth/permissions/permissions';

export const REQUIRED_PERMISSIONS = 'leads:permissions';

/**
 * Declares the permissions a route needs; the permission guard enforces it and Swagger documents it
 * (the names in `x-permissions`, the 403 in the seed's own words).
 */
export const RequirePermissions = (...permissions: Permission[]) =>
  applyDecorators(
    SetMetadata(REQUIRED_PERMISSIONS, permissions),
    ApiExtension('x-permissions', permissions),
    ApiForbiddenResponse({ description: 'Forbidden - User does not have the required permissions' }),
  );
