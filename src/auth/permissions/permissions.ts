import { ApiError } from '../../common/errors/api-error';

/** Every permission of the API: read|write × resource, plus readAuditLog. */
export const PERMISSIONS = [
  'readLeads',
  'writeLeads',
  'readTeams',
  'writeTeams',
  'readLeadSources',
  'writeLeadSources',
  'readLeadRotations',
  'writeLeadRotations',
  'readUsers',
  'writeUsers',
  'readApiKeys',
  'writeApiKeys',
  'readAuditLog',
  'readWebhooks',
  'writeWebhooks',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<'admin' | 'user', readonly Permission[]> = {
  admin: PERMISSIONS,
  user: ['readLeads', 'writeLeads', 'readTeams', 'readLeadSources', 'readLeadRotations'],
};

export function isPermission(p: unknown): p is Permission {
  return typeof p === 'string' && (PERMISSIONS as readonly string[]).includes(p);
}

/** The permissions in their canonical order, without duplicates or unknown names. */
export function normalizePermissions(list: readonly unknown[]): Permission[] {
  const wanted = new Set(list);
  return PERMISSIONS.filter((p) => wanted.has(p));
}

/** What a key may do: its own permissions, cut down to what its creator's role allows today. */
export function effectiveKeyPermissions(keyPermissions: readonly unknown[], creatorRole: 'admin' | 'user'): Permission[] {
  const granted = new Set(keyPermissions);
  return ROLE_PERMISSIONS[creatorRole].filter((p) => granted.has(p));
}

/**
 * The permissions of `wanted` that `held` lacks, in canonical order. Nobody grants more than they
 * hold: a new or widened API key, and the role a user is given, must fit within the caller's own
 * permissions in the account (for a key-based caller, the key's effective ones).
 */
export function permissionsNotHeld(held: ReadonlySet<Permission>, wanted: readonly Permission[]): Permission[] {
  return normalizePermissions(wanted).filter((p) => !held.has(p));
}

/** The 403 of a request that lacks `missing` (the guard's, and the services' that check a permission themselves). */
export function missingPermissions(missing: readonly string[]): ApiError {
  return ApiError.forbidden(`Missing permission: ${missing.join(', ')}`);
}
