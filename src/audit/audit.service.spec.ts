import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditEntryInput, AuditService, RequestMeta } from './audit.service';
import { maskSecrets } from './sanitize';

const meta: RequestMeta = { method: 'GET', path: '/leads', headers: {}, ip: '::1', user: 'me@example.com', apiKey: null, accountId: 1 };

/** A database whose batch inserts fail for entries named in `refused` (or all, while `down`). */
function fakeDb() {
  const written: AuditEntryInput[] = [];
  const state = { down: false, refused: new Set<string>() };
  const em = {} as EntityManager;
  const repo = {
    insertBatch: async (manager: EntityManager, entries: AuditEntryInput[]) => {
      expect(manager).toBe(em);
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (entries.some((e) => state.refused.has(e.event)))
        throw Object.assign(new Error('invalid input'), { code: 'SQLITE_CONSTRAINT_CHECK' });
      written.push(...entries);
    },
  } as unknown as AuditLogsRepository;
  const tx = { manager: em, detached: (work: () => Promise<unknown>) => work() } as unknown as TransactionService;
  return { tx, repo, written, state };
}

describe('AuditService.flush', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('drops only the entries the database refuses for their content', async () => {
    const { tx, repo, written, state } = fakeDb();
    const audit = new AuditService(tx, repo);
    state.refused.add('team_updated');
    for (const event of ['team_created', 'team_updated', 'team_deleted'] as const)
      audit.enqueue(audit.entry(meta, { event, statusCode: 200 }));
    await audit.flush();
    expect(written.map((e) => e.event)).toEqual(['team_created', 'team_deleted']);
    await audit.flush();
    expect(written).toHaveLength(2);
    await audit.onApplicationShutdown();
  });

  it('keeps every unwritten entry while the database is away, and writes them once it is back', async () => {
    const { tx, repo, written, state } = fakeDb();
    const audit = new AuditService(tx, repo);
    state.down = true;
    for (const event of ['team_created', 'team_updated'] as const) audit.enqueue(audit.entry(meta, { event, statusCode: 200 }));
    await audit.flush();
    expect(written).toEqual([]);
    state.down = false;
    await audit.flush();
    expect(written.map((e) => e.event)).toEqual(['team_created', 'team_updated']);
    await audit.onApplicationShutdown();
  });
});

describe('maskSecrets', () => {
  it('replaces NUL characters in values and keys (PostgreSQL text and jsonb refuse them)', () => {
    expect(maskSecrets({ 'k\u0000': ['a\u0000b'], password: 'x' })).toEqual({ 'k\uFFFD': ['a\uFFFDb'], password: '[REDACTED]' });
  });

  it('keeps a "__proto__" key of a parsed body as an own key of the copy, masked inside, never as its prototype', () => {
    const masked = maskSecrets(JSON.parse('{"__proto__": {"password": "x", "n": 1}, "a": 1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.keys(masked)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(masked, '__proto__')?.value).toEqual({ password: '[REDACTED]', n: 1 });
    expect((masked as { password?: unknown }).password).toBeUndefined();
  });

  it('masks a secret-looking key every time it comes back, at any depth, and no other', () => {
    const body = { apiToken: 't1', nested: { apiToken: 't2', clientSecret: 's', tokenless: 'no' }, name: 'n' };
    const once = maskSecrets(body);
    expect(maskSecrets(body)).toEqual(once);
    expect(once).toEqual({
      apiToken: '[REDACTED]',
      nested: { apiToken: '[REDACTED]', clientSecret: '[REDACTED]', tokenless: '[REDACTED]' },
      name: 'n',
    });
  });
});
