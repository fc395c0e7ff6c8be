import { EntityManager } from 'typeorm';
import { TransactionService } from '../../database/transaction.service';
import { bucketKey, DbThrottlerStorage } from './db-throttler.storage';
import { RateLimitBucketsRepository } from './rate-limit-buckets.repository';

describe('bucketKey', () => {
  it('keeps ordinary keys as they are', () => {
    expect(bucketKey('login-identity:ann@example.com')).toBe('login-identity:ann@example.com');
  });

  it('stores text no database keeps as given, and long keys, as distinct digests', () => {
    const keys = [
      'login-identity:a\u0000',
      'login-identity:a\ud800',
      'login-identity:a\udc00',
      'login-identity:a\ufffd',
      `x:${'a'.repeat(500)}`,
    ];
    const stored = keys.map(bucketKey);
    expect(stored[3]).toBe(keys[3]);
    for (const s of [stored[0], stored[1], stored[2], stored[4]]) expect(s).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(new Set(stored).size).toBe(keys.length);
  });
});

describe('DbThrottlerStorage', () => {
  /** A fake counter table: the upserts it received, answering as the database would. */
  function setup() {
    const rows = new Map<string, { hits: number; resetAt: Date }>();
    const upserts: [string, number][] = [];
    const buckets = {
      hit: jest.fn(async (_em: EntityManager, key: string, now: Date, resetAt: Date, count: number) => {
        upserts.push([key, count]);
        const row = rows.get(key);
        const next = !row || row.resetAt <= now ? { hits: count, resetAt } : { hits: row.hits + count, resetAt: row.resetAt };
        rows.set(key, next);
        return next;
      }),
    } as unknown as RateLimitBucketsRepository;
    const storage = new DbThrottlerStorage({ manager: {} } as TransactionService, buckets);
    return { storage, rows, upserts, hit: buckets.hit as jest.Mock };
  }
  const MINUTE = 60_000;

  it('asks the database for the first hit of a window, then counts far from the limit in memory and sends the hits together', async () => {
    const { storage, rows, upserts } = setup();
    const first = await storage.increment('default:user:1', MINUTE, 1000);
    expect(first).toMatchObject({ totalHits: 1, isBlocked: false });
    for (let i = 2; i <= 5; i++) await expect(storage.increment('default:user:1', MINUTE, 1000)).resolves.toMatchObject({ totalHits: i });
    expect(upserts).toEqual([['default:user:1', 1]]);
    await storage.flush();
    expect(upserts).toEqual([
      ['default:user:1', 1],
      ['default:user:1', 4],
    ]);
    expect(rows.get('default:user:1')!.hits).toBe(5);
  });

  it('is exact near the limit: each hit within the margin asks the database, which counts the other instances too', async () => {
    const { storage, rows, upserts } = setup();
    const limit = 100;
    await storage.increment('k', MINUTE, limit);
    // Another instance has counted 85 more hits meanwhile.
    rows.get('k')!.hits += 85;
    for (let i = 0; i < 3; i++) await storage.increment('k', MINUTE, limit);
    await storage.flush();
    expect(rows.get('k')!.hits).toBe(89);
    // 89 counted, 11 left: one more is counted here, then every hit is sent at once (the first with it).
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await storage.increment('k', MINUTE, limit));
    expect(answers.map((a) => a.totalHits)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101]);
    expect(answers.at(-1)).toMatchObject({ isBlocked: true });
    expect(upserts.slice(-11).map(([, n]) => n)).toEqual([2, ...Array(10).fill(1)]);
  });

  it('always asks the database for low limits (logins), keeping nothing in memory for them', async () => {
    const { storage, upserts } = setup();
    for (let i = 0; i < 3; i++) await storage.increment('login-ip:1.2.3.4', MINUTE, 2);
    expect(storage['local'].size).toBe(0);
    expect(upserts).toEqual([
      ['login-ip:1.2.3.4', 1],
      ['login-ip:1.2.3.4', 1],
      ['login-ip:1.2.3.4', 1],
    ]);
  });

  it('loses no hit counted while an upsert runs, and keeps unsent hits when the upsert fails', async () => {
    const { storage, rows, hit } = setup();
    // All at once on a new window: they go to the database while the first upsert is still running.
    await Promise.all(Array.from({ length: 21 }, () => storage.increment('k', MINUTE, 1000)));
    await storage.flush();
    expect(rows.get('k')!.hits).toBe(21);
    await Promise.all(Array.from({ length: 9 }, () => storage.increment('k', MINUTE, 1000)));
    hit.mockRejectedValueOnce(new Error('database down'));
    await expect(storage.flush()).rejects.toThrow('database down');
    await storage.flush();
    expect(rows.get('k')!.hits).toBe(30);
  });
});
