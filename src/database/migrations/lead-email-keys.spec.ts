import { QueryRunner } from 'typeorm';
import { backfillLeadEmailKeys } from './lead-email-keys';

/** A query runner over an in-memory `leads` table that answers the backfill's two statements. */
function fakeLeads(emails: (string | null)[]) {
  const rows = emails.map((email, i) => ({ id: i + 1, email, emailKey: undefined as string | null | undefined }));
  const statements: string[] = [];
  const query = jest.fn(async (sql: string, params: unknown[]) => {
    statements.push(sql.split(' ')[0]);
    if (sql.startsWith('SELECT')) {
      const limit = Number(/LIMIT (\d+)/.exec(sql)![1]);
      return rows
        .filter((r) => r.id > (params[0] as number) && r.email !== null)
        .slice(0, limit)
        .map(({ id, email }) => ({ id, email }));
    }
    if (sql.includes('unnest')) {
      const [ids, keys] = params as [number[], (string | null)[]];
      ids.forEach((id, i) => (rows[id - 1].emailKey = keys[i]));
    } else {
      const [key, id] = params as [string | null, number];
      rows[id - 1].emailKey = key;
    }
    return [];
  });
  return { rows, statements, runner: { query } as unknown as QueryRunner };
}

describe('backfillLeadEmailKeys', () => {
  const emails = Array.from({ length: 2500 }, (_, i) => (i % 3 === 0 ? null : `User.${i}@Example.com`));
  emails[1] = ' ÉLODIE@Example.COM ';

  it.each(['postgres', 'sqlite'] as const)('writes the key of every email in batches of a thousand (%s)', async (dialect) => {
    const { rows, statements, runner } = fakeLeads(emails);
    await backfillLeadEmailKeys(runner, dialect);
    expect(rows[1].emailKey).toBe('élodie@example.com');
    expect(rows[2].emailKey).toBe('user.2@example.com');
    expect(rows.filter((r) => r.email === null).every((r) => r.emailKey === undefined)).toBe(true);
    expect(rows.filter((r) => r.email !== null).every((r) => r.emailKey === r.email!.trim().toLowerCase())).toBe(true);
    // 1,666 leads with an email: two full batches and a last, empty read.
    expect(statements.filter((s) => s === 'SELECT')).toHaveLength(3);
  });
});
