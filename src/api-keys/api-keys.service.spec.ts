import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Permission } from '../auth/permissions/permissions';
import { AccountContext } from '../auth/principal';
import { PrincipalEvictions } from '../auth/principal-evictions.service';
import { TransactionService } from '../database/transaction.service';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { ApiKey } from './entities/api-key.entity';

const ACTOR = { userId: 1, email: 'admin@example.com', apiKeyId: null };
const account = (permissions: Permission[]): AccountContext => ({
  accountId: 4,
  role: 'admin',
  permissions: new Set(permissions),
  duplicateLeadPolicy: 'allow',
});

function key(overrides: Partial<ApiKey> = {}): ApiKey {
  return Object.assign(new ApiKey(), {
    id: 3,
    accountId: 4,
    key: 'lk_000000000000000000000000',
    secretHash: 'f'.repeat(64),
    name: 'k',
    permissions: ['readLeads'],
    active: true,
    createdByUserId: 1,
    createdBy: 'admin@example.com',
    updatedBy: 'admin@example.com',
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  });
}

describe('ApiKeysService', () => {
  const em = {} as EntityManager;
  const tx = { run: (work: (em: EntityManager) => unknown) => work(em), manager: em } as unknown as TransactionService;
  let repo: jest.Mocked<ApiKeysRepository>;
  let service: ApiKeysService;
  let principals: jest.Mocked<Pick<PrincipalEvictions, 'changed'>>;

  beforeEach(() => {
    repo = {
      insert: jest.fn(async (_em, accountId, k) => key({ ...k, accountId, id: 8 })),
      findInAccount: jest.fn().mockResolvedValue(key()),
      save: jest.fn(async (_em, k) => k),
      delete: jest.fn(),
    } as unknown as jest.Mocked<ApiKeysRepository>;
    principals = { changed: jest.fn() };
    service = new ApiKeysService(tx, repo, principals as unknown as PrincipalEvictions);
  });

  it('creates a key whose secret is answered once and stored only as its SHA-256', async () => {
    const res = await service.create(account(['readLeads', 'writeLeads']), ACTOR, {
      name: 'Form',
      permissions: ['writeLeads', 'readLeads', 'writeLeads'],
    });
    const stored = repo.insert.mock.calls[0][2];
    expect(stored).toEqual({
      key: res.apiKey,
      secretHash: createHash('sha256').update(res.apiSecret).digest('hex'),
      name: 'Form',
      permissions: ['readLeads', 'writeLeads'],
      createdByUserId: 1,
      createdBy: 'admin@example.com',
    });
    expect(JSON.stringify(stored)).not.toContain(res.apiSecret);
    expect(res).toMatchObject({ id: 8, accountId: '4', permissions: ['readLeads', 'writeLeads'] });
    expect(res).not.toHaveProperty('secretHash');
  });

  it('refuses to grant permissions the caller does not hold, naming them', async () => {
    await expect(
      service.create(account(['readLeads']), ACTOR, { name: 'x', permissions: ['readLeads', 'writeUsers', 'readAuditLog'] }),
    ).rejects.toMatchObject({
      status: 400,
      response: {
        error: 'Validation failed',
        details: [{ field: 'permissions', message: 'permissions you do not hold cannot be granted: writeUsers, readAuditLog' }],
      },
    });
    await expect(service.update(account(['readLeads']), ACTOR, 3, { permissions: ['writeLeads'] })).rejects.toMatchObject({ status: 400 });
    expect(repo.insert).not.toHaveBeenCalled();
    expect(repo.save).not.toHaveBeenCalled();
  });

  it('updates and deletes only keys found in the account, answering 404 otherwise', async () => {
    const updated = await service.update(account(['readLeads']), ACTOR, 3, { name: 'n', active: false });
    expect(repo.findInAccount).toHaveBeenCalledWith(em, 4, 3);
    expect(updated).toMatchObject({ name: 'n', active: false, updatedBy: 'admin@example.com' });
    expect(principals.changed).toHaveBeenCalledWith(em, { apiKeyId: 3 });

    repo.findInAccount.mockResolvedValue(null);
    await expect(service.get(4, 3)).rejects.toMatchObject({ status: 404, response: { error: 'Not Found', message: 'API key not found' } });
    await expect(service.remove(4, 3)).rejects.toMatchObject({ status: 404 });
    expect(repo.delete).not.toHaveBeenCalled();
  });

  it('evicts the sessions of a deleted key, in its transaction', async () => {
    await service.remove(4, 3);
    expect(repo.delete).toHaveBeenCalledWith(em, 4, 3);
    expect(principals.changed).toHaveBeenCalledWith(em, { apiKeyId: 3 });
  });
});
