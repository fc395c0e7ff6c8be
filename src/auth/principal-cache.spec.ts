import {
  CachedPrincipal,
  decodePrincipalChange,
  encodePrincipalChange,
  PrincipalCache,
  principalCacheKey,
  PrincipalChange,
} from './principal-cache';

const user = (userId: number, accountId: number | null = 4): CachedPrincipal => ({
  kind: 'user',
  userId,
  email: `u${userId}@example.com`,
  name: null,
  isSuperAdmin: false,
  apiKeyId: null,
  apiKeyAccountId: null,
  apiKeyPermissions: null,
  membership: accountId === null ? null : { accountId, role: 'admin', active: true, duplicateLeadPolicy: 'allow' },
});
const key = (userId: number, apiKeyId: number, accountId = 4): CachedPrincipal => ({
  ...user(userId, accountId),
  kind: 'apiKey',
  apiKeyId,
  apiKeyAccountId: accountId,
  apiKeyPermissions: ['readLeads'],
});

describe('PrincipalCache', () => {
  let cache: PrincipalCache;
  beforeEach(() => {
    cache = new PrincipalCache({ maxEntries: 3, ttlMs: 60_000 });
  });

  it('answers what was stored, under its key only', () => {
    const p = user(1);
    expect(cache.put('u:1:4', p, cache.generation, 4)).toBe(true);
    expect(cache.get('u:1:4')).toBe(p);
    expect(cache.get('u:1:5')).toBeNull();
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    for (let i = 1; i <= 4; i++) cache.put(`u:${i}:4`, user(i), cache.generation, 4);
    expect(cache.size).toBe(3);
    expect(cache.get('u:1:4')).toBeNull();
    expect(cache.get('u:4:4')).not.toBeNull();
  });

  it('forgets an entry once it is ttlMs old', () => {
    cache.put('u:1:4', user(1), cache.generation, 4, 1_000);
    expect(cache.get('u:1:4', 60_999)).not.toBeNull();
    expect(cache.get('u:1:4', 61_000)).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('does not store what a load read before an eviction that happened while it ran', () => {
    const startedAt = cache.generation;
    cache.evict({ userId: 99 });
    expect(cache.put('u:1:4', user(1), startedAt, 4)).toBe(false);
    expect(cache.get('u:1:4')).toBeNull();
    // A load starting after the eviction stores.
    expect(cache.put('u:1:4', user(1), cache.generation, 4)).toBe(true);
  });

  it.each<[PrincipalChange, string[]]>([
    [{ userId: 1 }, ['u:2:5', 'k:2:7']],
    [{ apiKeyId: 7 }, ['u:1:4', 'u:1:', 'u:2:5']],
    [{ accountId: 4 }, ['u:1:', 'u:2:5']],
    [{ accountId: 6 }, ['u:1:4', 'u:1:', 'u:2:5', 'k:2:7']],
    ['all', []],
  ])('evicts every entry %j can affect', (change, kept) => {
    cache = new PrincipalCache({ maxEntries: 10, ttlMs: 60_000 });
    cache.put('u:1:4', user(1, 4), cache.generation, 4);
    cache.put('u:1:', user(1, null), cache.generation, null);
    cache.put('u:2:5', user(2, 5), cache.generation, 5);
    cache.put('k:2:7', key(2, 7, 4), cache.generation, 4);
    cache.evict(change);
    expect(['u:1:4', 'u:1:', 'u:2:5', 'k:2:7'].filter((k) => cache.get(k) !== null)).toEqual(kept);
  });

  it('evicts by the account asked for, where the caller is not a member', () => {
    cache.put('u:1:8', user(1, null), cache.generation, 8);
    cache.evict({ accountId: 8 });
    expect(cache.get('u:1:8')).toBeNull();
  });

  it('while suspended serves and stores nothing, and resumes empty', () => {
    cache.put('u:1:4', user(1), cache.generation, 4);
    const startedAt = cache.generation;
    cache.suspend('connection lost');
    expect(cache.active).toBe(false);
    expect(cache.suspendedReason).toBe('connection lost');
    expect(cache.get('u:1:4')).toBeNull();
    expect(cache.put('u:2:4', user(2), cache.generation, 4)).toBe(false);
    cache.resume();
    expect(cache.active).toBe(true);
    expect(cache.size).toBe(0);
    // A load that began before the resubscription may have missed a change: not stored.
    expect(cache.put('u:1:4', user(1), startedAt, 4)).toBe(false);
    expect(cache.put('u:1:4', user(1), cache.generation, 4)).toBe(true);
  });

  it('is off with maxEntries or ttlMs 0', () => {
    for (const options of [
      { maxEntries: 0, ttlMs: 60_000 },
      { maxEntries: 10, ttlMs: 0 },
    ]) {
      const off = new PrincipalCache(options);
      expect(off.put('u:1:4', user(1), off.generation, 4)).toBe(false);
      expect(off.get('u:1:4')).toBeNull();
    }
  });
});

describe('principal cache keys and payloads', () => {
  it('keys a user session by user and account, a key session by user and key', () => {
    expect(principalCacheKey('user', 1, null, 4)).toBe('u:1:4');
    expect(principalCacheKey('user', 1, null, null)).toBe('u:1:');
    expect(principalCacheKey('key', 1, 7, 4)).toBe('k:1:7');
    expect(principalCacheKey('key', 1, 7, 5)).toBe('k:1:7');
  });

  it('round-trips changes, and reads anything else as "all"', () => {
    for (const change of [{ userId: 3 }, { apiKeyId: 4 }, { accountId: 5 }, 'all'] as PrincipalChange[]) {
      expect(decodePrincipalChange(encodePrincipalChange(change))).toEqual(change);
    }
    expect(decodePrincipalChange('x:1')).toBe('all');
    expect(decodePrincipalChange('u:')).toBe('all');
    expect(decodePrincipalChange('')).toBe('all');
  });
});
