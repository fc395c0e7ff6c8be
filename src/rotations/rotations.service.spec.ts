import type { EntityManager } from 'typeorm';
import type { TransactionService } from '../database/transaction.service';
import type { TeamsRepository } from '../teams/teams.repository';
import type { AccountMembersService, AccountMember } from '../users/account-members.service';
import type { LeadRotation } from './entities/lead-rotation.entity';
import type { RoutingService } from '../routing/routing.service';
import { RotationStatusBodyPipe } from './rotation-status.pipe';
import type { RotationsRepository } from './rotations.repository';
import { clampPosition, isDefaultRotation, normalizeEmails, positionProblems, RotationsService } from './rotations.service';

const em = {} as EntityManager;
const actor = { userId: 1, email: 'admin@example.com', apiKeyId: null };
const rotation = (over: Partial<LeadRotation> = {}): LeadRotation =>
  ({
    id: 3,
    accountId: 7,
    name: 'r',
    isDefault: false,
    status: 'active',
    teamId: null,
    userRotationArray: ['a@x.io', 'b@x.io', 'c@x.io'],
    currentPosition: 2,
    createdBy: 'admin@example.com',
    updatedBy: 'admin@example.com',
    createdAt: new Date('2024-01-01T00:00:00.000Z'),
    updatedAt: new Date('2024-01-01T00:00:00.000Z'),
    ...over,
  }) as LeadRotation;
const member = (email: string): AccountMember => ({ id: 1, email, name: null, active: true });

function build() {
  const repo = {
    findById: jest.fn(async () => rotation()),
    insert: jest.fn(async (_em, accountId, values) => rotation({ ...values, accountId, id: 4 })),
    update: jest.fn(async () => undefined),
    delete: jest.fn(async () => undefined),
  };
  const routing = { pick: jest.fn(), withMembers: jest.fn() };
  const teams = {
    existsInAccount: jest.fn(async (_em, _acc, id: number) => id === 12),
    summaries: jest.fn(async () => new Map([[12, { id: 12, name: 'T', active: true }]])),
  };
  const members = {
    byEmails: jest.fn(async (_em, _acc, emails: string[]) => new Map(emails.filter((e) => e.endsWith('@x.io')).map((e) => [e, member(e)]))),
  };
  const tx = { run: jest.fn((work: (e: EntityManager) => unknown) => work(em)), manager: em };
  const service = new RotationsService(
    tx as unknown as TransactionService,
    repo as unknown as RotationsRepository,
    routing as unknown as RoutingService,
    teams as unknown as TeamsRepository,
    members as unknown as AccountMembersService,
  );
  return { service, repo, routing };
}

describe('rotation rules', () => {
  it('recognises the default rotation by name, any case, only without a team', () => {
    expect(isDefaultRotation('default', null)).toBe(true);
    expect(isDefaultRotation(' DeFault ', null)).toBe(true);
    expect(isDefaultRotation('default', 4)).toBe(false);
    expect(isDefaultRotation('defaults', null)).toBe(false);
  });

  it('normalizes emails, keeping order and repetitions', () => {
    expect(normalizeEmails([' A@X.io', 'b@x.io', 'a@x.io '])).toEqual(['a@x.io', 'b@x.io', 'a@x.io']);
  });

  it('clamps the pointer into a changed list', () => {
    expect(clampPosition(2, 2)).toBe(0);
    expect(clampPosition(1, 2)).toBe(1);
    expect(clampPosition(5, 3)).toBe(2);
    expect(clampPosition(3, 0)).toBe(0);
  });

  it('accepts a requested pointer only inside the list', () => {
    expect(positionProblems(0, 0)).toEqual([]);
    expect(positionProblems(2, 3)).toEqual([]);
    expect(positionProblems(1, 0)).toEqual([
      { field: 'currentPosition', message: 'currentPosition must be 0 when userRotationArray is empty' },
    ]);
    expect(positionProblems(3, 3)).toEqual([
      { field: 'currentPosition', message: 'currentPosition must be between 0 and 2 (userRotationArray has 3 entries)' },
    ]);
  });
});

describe('RotationsService', () => {
  it('creates with the default flag computed and emails lower-cased', async () => {
    const { service, repo } = build();
    await service.create(7, actor, { name: 'Default', userRotationArray: ['A@x.io'] });
    expect(repo.insert).toHaveBeenCalledWith(em, 7, {
      name: 'Default',
      isDefault: true,
      status: 'active',
      teamId: null,
      userRotationArray: ['a@x.io'],
      currentPosition: 0,
      weights: {},
      dailyCaps: {},
      routingState: null,
      createdBy: actor.email,
      updatedBy: actor.email,
    });
  });

  it('reports the team, every unknown email and the position together', async () => {
    const { service, repo } = build();
    await expect(
      service.create(7, actor, { name: 'r', teamId: 13, userRotationArray: ['a@x.io', 'z@elsewhere.io'], currentPosition: 2 }),
    ).rejects.toMatchObject({
      response: {
        message: '3 problems were found in the request',
        details: [
          { field: 'teamId', message: 'team 13 is not a team of this account' },
          { field: 'userRotationArray.1', message: 'z@elsewhere.io is not a user of this account' },
          { field: 'currentPosition', message: 'currentPosition must be between 0 and 1 (userRotationArray has 2 entries)' },
        ],
      },
    });
    expect(repo.insert).not.toHaveBeenCalled();
  });

  it('clamps the pointer when a new list comes without a position, under a row lock', async () => {
    const { service, repo } = build();
    await service.update(7, actor, 3, { userRotationArray: ['a@x.io', 'b@x.io'] });
    expect(repo.findById).toHaveBeenCalledWith(em, 7, 3, { lock: true });
    expect(repo.update).toHaveBeenCalledWith(
      em,
      7,
      3,
      expect.objectContaining({ userRotationArray: ['a@x.io', 'b@x.io'], currentPosition: 0 }),
    );
  });

  it('recomputes the default flag when the name or team changes', async () => {
    const { service, repo } = build();
    await service.update(7, actor, 3, { name: 'default' });
    expect(repo.update).toHaveBeenLastCalledWith(em, 7, 3, expect.objectContaining({ isDefault: true, teamId: null }));
    repo.findById.mockResolvedValue(rotation({ name: 'default', isDefault: true }));
    await service.update(7, actor, 3, { teamId: 12 });
    expect(repo.update).toHaveBeenLastCalledWith(em, 7, 3, expect.objectContaining({ isDefault: false, teamId: 12 }));
  });

  it('changes nothing when the status is already the requested one', async () => {
    const { service, repo } = build();
    await service.changeStatus(7, actor, 3, 'active');
    expect(repo.update).not.toHaveBeenCalled();
    await service.changeStatus(7, actor, 3, 'queued');
    expect(repo.update).toHaveBeenCalledWith(em, 7, 3, { status: 'queued', updatedBy: actor.email });
  });

  it('describes a pick: picked index, pointer after, and the email it now points at', async () => {
    const { service, routing } = build();
    routing.pick.mockResolvedValue({
      rotation: rotation({ currentPosition: 0 }),
      decision: { picked: { index: 2, email: 'c@x.io' }, skipped: [], position: 0, state: { cycle: null, day: null, counts: {} } },
      user: { userId: 9, email: 'c@x.io', name: 'C', active: true, away: false, awayUntil: null },
    });
    await expect(service.nextUser(7, 3)).resolves.toMatchObject({
      user: { id: 9, email: 'c@x.io', name: 'C' },
      rotationId: 3,
      currentPosition: 2,
      newPosition: 0,
      totalUsers: 3,
      currentUser: 'c@x.io',
      nextUser: 'a@x.io',
      rotation: { id: 3, currentPosition: 0 },
    });
    routing.pick.mockResolvedValue(null);
    await expect(service.nextUser(7, 3)).rejects.toMatchObject({ status: 404 });
  });
});

describe('RotationStatusBodyPipe', () => {
  const pipe = new RotationStatusBodyPipe();
  const fixed = { error: 'Status is required and must be one of active, archived, queued' };

  it('passes a valid status', () => {
    expect(pipe.transform({ status: 'archived' })).toEqual({ status: 'archived' });
  });

  it('answers the fixed error for a missing or invalid status', () => {
    for (const body of [undefined, null, {}, [], { status: 'Active' }, { status: 2 }]) {
      expect(() => pipe.transform(body)).toThrow(expect.objectContaining({ response: fixed }));
    }
  });

  it('names other properties', () => {
    expect(() => pipe.transform({ status: 'active', x: 1 })).toThrow(
      expect.objectContaining({
        response: expect.objectContaining({ details: [{ field: 'x', message: 'x is not an allowed property' }] }),
      }),
    );
  });
});
