import { Permission, PERMISSIONS, permissionsNotHeld, ROLE_PERMISSIONS } from './permissions';

describe('permissionsNotHeld', () => {
  const held = (...p: Permission[]) => new Set<Permission>(p);

  it('is empty when everything wanted is held', () => {
    expect(permissionsNotHeld(held(...PERMISSIONS), ROLE_PERMISSIONS.admin)).toEqual([]);
    expect(permissionsNotHeld(held(...ROLE_PERMISSIONS.user), ROLE_PERMISSIONS.user)).toEqual([]);
    expect(permissionsNotHeld(held('readLeads'), [])).toEqual([]);
  });

  it('names what is missing once each, in canonical order', () => {
    expect(permissionsNotHeld(held('readLeads'), ['readAuditLog', 'writeUsers', 'readLeads', 'writeUsers'])).toEqual([
      'writeUsers',
      'readAuditLog',
    ]);
  });

  it('refuses the admin role to a key holding only readUsers and writeUsers, and the user role too', () => {
    const usersOnly = held('readUsers', 'writeUsers');
    expect(permissionsNotHeld(usersOnly, ROLE_PERMISSIONS.admin)).toEqual(
      PERMISSIONS.filter((p) => p !== 'readUsers' && p !== 'writeUsers'),
    );
    expect(permissionsNotHeld(usersOnly, ROLE_PERMISSIONS.user)).toEqual([
      'readLeads',
      'writeLeads',
      'readTeams',
      'readLeadSources',
      'readLeadRotations',
    ]);
  });

  it('lets a holder of the user role grant it but not admin', () => {
    const rep = held(...ROLE_PERMISSIONS.user, 'writeUsers');
    expect(permissionsNotHeld(rep, ROLE_PERMISSIONS.user)).toEqual([]);
    expect(permissionsNotHeld(rep, ROLE_PERMISSIONS.admin)).toEqual([
      'writeTeams',
      'writeLeadSources',
      'writeLeadRotations',
      'readUsers',
      'readApiKeys',
      'writeApiKeys',
      'readAuditLog',
      'readWebhooks',
      'writeWebhooks',
    ]);
  });
});
