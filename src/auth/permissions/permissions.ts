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
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<'admin' | 'user', readonly Permission[]> = {
  admin: PERMISSIONS,
  user: ['readLeads', 'writeLeads', 'readTeams', 'readLeadSources', 'readLeadRotations'],
};

export function isPermission(p: unknown): p is Permission {
  return typeof p === 'string' && (PERMISSIONS as readonly string[]).includes(p);
}
