import { DataSource } from 'typeorm';
import { AuthRepository, PrincipalRow } from './auth.repository';
import { PrincipalCache } from './principal-cache';
import { PrincipalEvictions } from './principal-evictions.service';
import { PrincipalService, TokenPayload } from './principal.service';

const row = (overrides: Partial<PrincipalRow> = {}): PrincipalRow => ({
  user_id: 7,
  email: 'rep@example.com',
  name: 'Rep',
  user_active: true,
  is_super_admin: false,
  m_account_id: '4',
  m_role: 'admin',
  m_active: true,
  a_duplicate_lead_policy: 'allow',
  ...overrides,
});

describe('PrincipalService with the principal cache', () => {
  const payload: TokenPayload = { sub: '7', typ: 'user', exp: 2_000_000_000 };
  let cache: PrincipalCache;
  let repo: jest.Mocked<Pick<AuthRepository, 'principalOfUser' | 'principalOfKey'>>;
  let service: PrincipalService;

  beforeEach(() => {
    cache = new PrincipalCache({ maxEntries: 100, ttlMs: 60_000 });
    repo = { principalOfUser: jest.fn().mockResolvedValue(row()), principalOfKey: jest.fn() };
    service = new PrincipalService(
      { manager: {} } as DataSource,
      repo as unknown as AuthRepository,
      { cache } as unknown as PrincipalEvictions,
    );
  });

  it('queries once per token identity and account, and answers each request with its own token', async () => {
    const first = await service.load(payload, 'token-a', 4);
    const second = await service.load({ ...payload, exp: 2_000_000_100 }, 'token-b', 4);
    expect(repo.principalOfUser).toHaveBeenCalledTimes(1);
    expect(first).toMatchObject({ userId: 7, token: 'token-a', expiresAt: new Date(2_000_000_000_000) });
    expect(second).toMatchObject({ userId: 7, token: 'token-b', expiresAt: new Date(2_000_000_100_000) });
    expect(second?.membership).toEqual({ accountId: 4, role: 'admin', active: true, duplicateLeadPolicy: 'allow' });
    await service.load(payload, 'token-a', 5);
    expect(repo.principalOfUser).toHaveBeenCalledTimes(2);
  });

  it('does not cache what a load read when an eviction happened while it ran', async () => {
    let answer!: (r: PrincipalRow) => void;
    repo.principalOfUser.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    const loading = service.load(payload, 'token-a', 4);
    // The revoking commit lands while the query is in flight.
    cache.evict({ userId: 7 });
    answer(row({ m_role: 'admin' }));
    await expect(loading).resolves.toMatchObject({ membership: { role: 'admin' } });
    expect(cache.size).toBe(0);

    repo.principalOfUser.mockResolvedValueOnce(row({ m_role: 'user' }));
    await expect(service.load(payload, 'token-a', 4)).resolves.toMatchObject({ membership: { role: 'user' } });
    expect(repo.principalOfUser).toHaveBeenCalledTimes(2);
  });

  it('never caches a refusal', async () => {
    repo.principalOfUser.mockResolvedValue(row({ user_active: false }));
    await expect(service.load(payload, 't', 4)).resolves.toBeNull();
    await expect(service.load(payload, 't', 4)).resolves.toBeNull();
    expect(repo.principalOfUser).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it('reads the database on every request while the cache is suspended', async () => {
    cache.suspend('listener down');
    await service.load(payload, 't', 4);
    await service.load(payload, 't', 4);
    expect(repo.principalOfUser).toHaveBeenCalledTimes(2);
  });

  it('refuses claims that name no user or key before asking anything', async () => {
    await expect(service.load({ sub: 'x', typ: 'user', exp: 1 }, 't', 4)).resolves.toBeNull();
    await expect(service.load({ sub: '7', typ: 'key', exp: 1 }, 't', 4)).resolves.toBeNull();
    await expect(service.load({ sub: '7', typ: 'other' as 'user', exp: 1 }, 't', 4)).resolves.toBeNull();
    expect(repo.principalOfUser).not.toHaveBeenCalled();
    expect(repo.principalOfKey).not.toHaveBeenCalled();
  });
});
