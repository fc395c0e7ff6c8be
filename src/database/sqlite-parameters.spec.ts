import { DataSource } from 'typeorm';
import { bindIntegerParameters } from './sqlite-parameters';

/** TypeORM's query builder on a real in-memory SQLite database, with and without the binding. */
async function sqlite(bind: boolean): Promise<DataSource> {
  const ds = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
  await (bind ? bindIntegerParameters(ds) : ds).initialize();
  await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY, code VARCHAR(20), ratio REAL, flag BOOLEAN)');
  await ds.query(`INSERT INTO t (id, code, ratio, flag) VALUES (1, '5', 1.5, 1), (2, '7', 2.5, 0), (3, 'x', NULL, 0)`);
  return ds;
}

const byId = (ds: DataSource, id: number) => ds.createQueryBuilder().select('t.id', 'id').from('t', 't').where('t.id = :id', { id });

describe('bindIntegerParameters (SQLite)', () => {
  let plain: DataSource;
  let bound: DataSource;
  beforeAll(async () => {
    [plain, bound] = await Promise.all([sqlite(false), sqlite(true)]);
  });
  afterAll(async () => {
    await Promise.all([plain.destroy(), bound.destroy()]);
  });

  it('keeps one SQL text for every id, with the id bound as a 64-bit integer', () => {
    // TypeORM alone writes the number into the text: a new statement per id.
    expect(byId(plain, 7).getQueryAndParameters()).toEqual([expect.stringContaining('= 7'), []]);
    const [text7, params7] = byId(bound, 7).getQueryAndParameters();
    const [text8, params8] = byId(bound, 8).getQueryAndParameters();
    expect(text7).toBe(text8);
    expect(text7).toContain('WHERE t.id = ?');
    expect(params7).toEqual([BigInt(7)]);
    expect(params8).toEqual([BigInt(8)]);
  });

  it('prepares the statement once for any number of ids', async () => {
    const conn = (bound.driver as unknown as { databaseConnection: { prepare: (sql: string) => unknown } }).databaseConnection;
    const prepare = jest.spyOn(conn, 'prepare');
    try {
      const found = [];
      for (const id of [1, 2, 3, 4]) found.push(await byId(bound, id).getRawMany());
      expect(found).toEqual([[{ id: 1 }], [{ id: 2 }], [{ id: 3 }], []]);
      expect(prepare).toHaveBeenCalledTimes(1);
    } finally {
      prepare.mockRestore();
    }
  });

  it('answers exactly what the literal answered: integers against text, fractions, booleans, lists', async () => {
    const queries: [string, Record<string, unknown>][] = [
      ['t.code = :code', { code: 5 }], // a TEXT column compared with the integer 5 matches '5' (a double 5.0 would not)
      ['t.ratio = :ratio', { ratio: 1.5 }],
      ['t.ratio > :ratio', { ratio: 2 }],
      ['t.flag = :flag', { flag: false }],
      ['t.id IN (:...ids)', { ids: [1, 3] }],
      ['t.id > :min AND t.code <> :code', { min: 1, code: 'x' }],
    ];
    for (const [where, params] of queries) {
      const rows = (ds: DataSource) =>
        ds.createQueryBuilder().select('t.id', 'id').from('t', 't').where(where, params).orderBy('t.id').getRawMany();
      const [expected, actual] = await Promise.all([rows(plain), rows(bound)]);
      expect({ where, rows: actual }).toEqual({ where, rows: expected });
      expect(actual.length).toBeGreaterThan(0);
    }
  });

  it('leaves PostgreSQL data sources alone', () => {
    const pg = new DataSource({ type: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none' });
    const escape = pg.driver.escapeQueryWithParameters;
    expect(bindIntegerParameters(pg)).toBe(pg);
    expect(pg.driver.escapeQueryWithParameters).toBe(escape);
  });
});
