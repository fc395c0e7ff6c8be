import type { EntityManager } from 'typeorm';
import type { TransactionService } from '../database/transaction.service';
import type { TeamsRepository } from '../teams/teams.repository';
import type { LeadSource } from './entities/lead-source.entity';
import type { LeadSourcesRepository } from './lead-sources.repository';
import { LeadSourcesService } from './lead-sources.service';

const em = {} as EntityManager;
const actor = { userId: 1, email: 'admin@example.com', apiKeyId: null };
const source = (over: Partial<LeadSource> = {}): LeadSource =>
  ({
    id: 5,
    accountId: 7,
    teamId: null,
    name: 'Web',
    active: true,
    createdBy: 'admin@example.com',
    updatedBy: 'admin@example.com',
    createdAt: new Date('2024-01-01T00:00:00.000Z'),
    updatedAt: new Date('2024-01-01T00:00:00.000Z'),
    ...over,
  }) as LeadSource;

function build() {
  const repo = {
    findById: jest.fn(async () => source()),
    insert: jest.fn(async (_em, accountId, values) => source({ ...values, accountId })),
    update: jest.fn(async () => undefined),
    countLeads: jest.fn(async () => 0),
    delete: jest.fn(async () => undefined),
  };
  const teams = { existsInAccount: jest.fn(async (_em, _acc, id: number) => id === 12) };
  const tx = { run: jest.fn((work: (e: EntityManager) => unknown) => work(em)), manager: em };
  const service = new LeadSourcesService(
    tx as unknown as TransactionService,
    repo as unknown as LeadSourcesRepository,
    teams as unknown as TeamsRepository,
  );
  return { service, repo, teams };
}

describe('LeadSourcesService', () => {
  it('creates a source with a team of the account', async () => {
    const { service, repo } = build();
    await expect(service.create(7, actor, { name: 'Web', teamId: 12 })).resolves.toMatchObject({ teamId: 12, accountId: '7' });
    expect(repo.insert).toHaveBeenCalledWith(em, 7, {
      name: 'Web',
      teamId: 12,
      active: true,
      createdBy: actor.email,
      updatedBy: actor.email,
    });
  });

  it('refuses a team that is not in the account, naming teamId', async () => {
    const { service, repo } = build();
    await expect(service.create(7, actor, { name: 'Web', teamId: 13 })).rejects.toMatchObject({
      status: 400,
      response: { details: [{ field: 'teamId', message: 'team 13 is not a team of this account' }] },
    });
    expect(repo.insert).not.toHaveBeenCalled();
  });

  it('detaches from the team with teamId null without looking a team up', async () => {
    const { service, repo, teams } = build();
    await service.update(7, actor, 5, { teamId: null });
    expect(teams.existsInAccount).not.toHaveBeenCalled();
    expect(repo.update).toHaveBeenCalledWith(em, 7, 5, { teamId: null, updatedBy: actor.email });
  });

  it('refuses to delete a source that leads use', async () => {
    const { service, repo } = build();
    repo.countLeads.mockResolvedValueOnce(1);
    await expect(service.remove(7, 5)).rejects.toMatchObject({
      status: 409,
      response: { message: 'Lead source 5 is used by 1 lead; deactivate it instead' },
    });
    expect(repo.delete).not.toHaveBeenCalled();
    await service.remove(7, 5);
    expect(repo.delete).toHaveBeenCalledWith(em, 7, 5);
  });

  it('answers 404 for a source that is not in the account', async () => {
    const { service, repo } = build();
    repo.findById.mockResolvedValue(null as never);
    await expect(service.get(7, 5)).rejects.toMatchObject({ response: { error: 'Not Found', message: 'Lead source not found' } });
    await expect(service.update(7, actor, 5, { name: 'x' })).rejects.toMatchObject({ status: 404 });
    await expect(service.remove(7, 5)).rejects.toMatchObject({ status: 404 });
  });
});
