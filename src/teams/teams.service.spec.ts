import type { EntityManager } from 'typeorm';
import type { TransactionService } from '../database/transaction.service';
import type { AccountMembersService, AccountMember } from '../users/account-members.service';
import type { Team } from './entities/team.entity';
import type { TeamsRepository } from './teams.repository';
import { describeUsage, TeamsService } from './teams.service';

const em = {} as EntityManager;
const actor = { userId: 1, email: 'admin@example.com', apiKeyId: null };
const team = (over: Partial<Team> = {}): Team =>
  ({
    id: 12,
    accountId: 7,
    name: 'Sales',
    active: true,
    createdBy: 'admin@example.com',
    updatedBy: 'admin@example.com',
    createdAt: new Date('2024-01-01T00:00:00.000Z'),
    updatedAt: new Date('2024-01-02T00:00:00.000Z'),
    ...over,
  }) as Team;
const memberOf = (id: number): AccountMember => ({ id, email: `u${id}@example.com`, name: `U${id}`, active: true });

/** A query builder stand-in with just what paginate() calls. */
function fakeQuery(rows: Team[]) {
  const qb: Record<string, jest.Mock> = {};
  for (const m of ['andWhere', 'orderBy', 'addOrderBy', 'offset', 'limit']) qb[m] = jest.fn(() => qb);
  qb.clone = jest.fn(() => ({
    getCount: jest.fn(async () => rows.length),
    getQueryAndParameters: jest.fn(() => [`SELECT fake ${rows.map((r) => r.id).join(',')}`, []]),
  }));
  qb.getMany = jest.fn(async () => rows);
  return qb;
}

function build() {
  const repo = {
    findById: jest.fn(),
    listQuery: jest.fn(),
    membersOf: jest.fn(async () => new Map()),
    insert: jest.fn(async (_em, accountId, values) => team({ ...values, accountId })),
    update: jest.fn(async () => undefined),
    replaceMembers: jest.fn(async () => undefined),
    usage: jest.fn(async () => ({ leads: 0, leadSources: 0, leadRotations: 0 })),
    delete: jest.fn(async () => undefined),
  };
  const members = { byIds: jest.fn(async (_em, _acc, ids: number[]) => new Map(ids.filter((i) => i < 100).map((i) => [i, memberOf(i)]))) };
  const tx = { run: jest.fn((work: (e: EntityManager) => unknown) => work(em)), manager: em };
  const service = new TeamsService(
    tx as unknown as TransactionService,
    repo as unknown as TeamsRepository,
    members as unknown as AccountMembersService,
  );
  return { service, repo, members, tx };
}

describe('describeUsage', () => {
  it('names the references that exist, with plurals', () => {
    expect(describeUsage({ leads: 0, leadSources: 0, leadRotations: 0 })).toBeNull();
    expect(describeUsage({ leads: 3, leadSources: 0, leadRotations: 0 })).toBe('3 leads');
    expect(describeUsage({ leads: 1, leadSources: 2, leadRotations: 0 })).toBe('1 lead and 2 lead sources');
    expect(describeUsage({ leads: 2, leadSources: 1, leadRotations: 1 })).toBe('2 leads, 1 lead source and 1 lead rotation');
  });
});

describe('TeamsService', () => {
  it('loads the members of a whole list page with one call', async () => {
    const { service, repo } = build();
    repo.listQuery.mockReturnValue(fakeQuery([team({ id: 1 }), team({ id: 2 }), team({ id: 3 })]));
    repo.membersOf.mockResolvedValue(new Map([[2, [{ userId: 5, email: 'u5@example.com', name: 'U5' }]]]));
    const page = await service.list(7, {});
    expect(repo.listQuery).toHaveBeenCalledWith(em, 7, { active: true, name: undefined });
    expect(repo.membersOf).toHaveBeenCalledTimes(1);
    expect(repo.membersOf).toHaveBeenCalledWith(em, 7, [1, 2, 3]);
    expect(page.data.map((t) => t.members.length)).toEqual([0, 1, 0]);
    expect(page).toMatchObject({ totalCount: 3, totalPages: 1, currentPage: 1 });
  });

  it('creates a team in a transaction, members in the given order', async () => {
    const { service, repo, tx } = build();
    await service.create(7, actor, { name: 'Sales', members: [{ userId: 3 }, { userId: 2 }] });
    expect(tx.run).toHaveBeenCalledTimes(1);
    expect(repo.insert).toHaveBeenCalledWith(em, 7, { name: 'Sales', active: true, createdBy: actor.email, updatedBy: actor.email });
    expect(repo.replaceMembers).toHaveBeenCalledWith(em, 12, [3, 2]);
  });

  it('refuses members who are not users of the account before writing anything', async () => {
    const { service, repo } = build();
    await expect(service.create(7, actor, { name: 'Sales', members: [{ userId: 1 }, { userId: 500 }] })).rejects.toMatchObject({
      response: {
        error: 'Validation failed',
        message: 'user 500 is not a user of this account',
        details: [{ field: 'members.1.userId', message: 'user 500 is not a user of this account' }],
      },
    });
    expect(repo.insert).not.toHaveBeenCalled();
  });

  it('answers 404 for a team that is not in the account', async () => {
    const { service, repo } = build();
    repo.findById.mockResolvedValue(null);
    await expect(service.update(7, actor, 99, { name: 'x' })).rejects.toMatchObject({ status: 404 });
    await expect(service.remove(7, 99)).rejects.toMatchObject({ status: 404 });
    await expect(service.get(7, 99)).rejects.toMatchObject({ response: { error: 'Not Found', message: 'Team not found' } });
  });

  it('writes nothing for an empty update, and replaces members only when given', async () => {
    const { service, repo } = build();
    repo.findById.mockResolvedValue(team());
    await service.update(7, actor, 12, {});
    expect(repo.update).not.toHaveBeenCalled();
    await service.update(7, actor, 12, { active: false });
    expect(repo.update).toHaveBeenCalledWith(em, 7, 12, { active: false, updatedBy: actor.email });
    expect(repo.replaceMembers).not.toHaveBeenCalled();
    await service.update(7, actor, 12, { members: [] });
    expect(repo.replaceMembers).toHaveBeenCalledWith(em, 12, []);
    expect(repo.findById).toHaveBeenCalledWith(em, 7, 12, { lock: true });
  });

  it('refuses to delete a team in use, and deletes it otherwise', async () => {
    const { service, repo } = build();
    repo.findById.mockResolvedValue(team());
    repo.usage.mockResolvedValueOnce({ leads: 3, leadSources: 0, leadRotations: 0 });
    await expect(service.remove(7, 12)).rejects.toMatchObject({
      status: 409,
      response: { error: 'Conflict', message: 'Team 12 is used by 3 leads; deactivate it instead' },
    });
    expect(repo.delete).not.toHaveBeenCalled();
    await expect(service.remove(7, 12)).resolves.toMatchObject({ id: 12, accountId: '7', account_id: '7' });
    expect(repo.delete).toHaveBeenCalledWith(em, 7, 12);
  });
});
