import { LeadSource } from '../../src/lead-sources/entities/lead-source.entity';
import { LeadRotation, RotationStatus } from '../../src/rotations/entities/lead-rotation.entity';
import { TeamMember } from '../../src/teams/entities/team-member.entity';
import { Team } from '../../src/teams/entities/team.entity';
import { uniq, type Tenant } from './fixtures';
import { TestApp } from './test-app';

/** A user reference: the user's id, or anything with an `id` (a User) or a `user` (a TestUser). */
export type UserRef = number | { id: number } | { user: { id: number } };

const userIdOf = (u: UserRef): number => (typeof u === 'number' ? u : 'user' in u ? u.user.id : u.id);

/**
 * Creates teams, lead sources and rotations directly in the database (through TransactionService),
 * so a suite can set up the routing of an account without calling the endpoints it does not test.
 * Values are stored as the services store them (emails lower-cased, isDefault computed).
 */
export class SetupFixtures {
  constructor(private readonly t: TestApp) {}

  async team(tenant: Tenant, opts: { name?: string; active?: boolean; members?: UserRef[] } = {}): Promise<Team> {
    return this.t.tx.run(async (em) => {
      const team = await em.save(
        em.create(Team, {
          accountId: tenant.account.id,
          name: opts.name ?? uniq('Team '),
          active: opts.active ?? true,
          createdBy: tenant.admin.user.email,
          updatedBy: tenant.admin.user.email,
        }),
      );
      const members = (opts.members ?? []).map(userIdOf);
      if (members.length)
        await em.insert(
          TeamMember,
          members.map((userId, position) => ({ teamId: team.id, userId, position })),
        );
      return team;
    });
  }

  async leadSource(tenant: Tenant, opts: { name?: string; teamId?: number | null; active?: boolean } = {}): Promise<LeadSource> {
    return this.t.tx.run((em) =>
      em.save(
        em.create(LeadSource, {
          accountId: tenant.account.id,
          teamId: opts.teamId ?? null,
          name: opts.name ?? uniq('Source '),
          active: opts.active ?? true,
          createdBy: tenant.admin.user.email,
          updatedBy: tenant.admin.user.email,
        }),
      ),
    );
  }

  async rotation(
    tenant: Tenant,
    opts: { name?: string; teamId?: number | null; status?: RotationStatus; emails?: string[]; currentPosition?: number } = {},
  ): Promise<LeadRotation> {
    const name = opts.name ?? uniq('Rotation ');
    const teamId = opts.teamId ?? null;
    return this.t.tx.run((em) =>
      em.save(
        em.create(LeadRotation, {
          accountId: tenant.account.id,
          name,
          isDefault: teamId === null && name.trim().toLowerCase() === 'default',
          status: opts.status ?? 'active',
          teamId,
          userRotationArray: (opts.emails ?? []).map((e) => e.trim().toLowerCase()),
          currentPosition: opts.currentPosition ?? 0,
          createdBy: tenant.admin.user.email,
          updatedBy: tenant.admin.user.email,
        }),
      ),
    );
  }
}
