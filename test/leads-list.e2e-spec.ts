import { applySearch } from '../src/common/list/paginate';
import { LEAD_SORT_FIELDS, LEAD_TEXT_FILTERS, ListLeadsQuery } from '../src/leads/dto/lead-query.dto';
import { Lead as LeadEntity } from '../src/leads/entities/lead.entity';
import { LEAD_LIST_SPEC } from '../src/leads/leads.service';
import { Fixtures, Tenant } from './utils/fixtures';
import { IdentityFixtures } from './utils/identity-fixtures';
import { LeadFixtures } from './utils/lead-fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

type ApiLead = Record<string, unknown> & { id: number };

const day = (n: number) => new Date(Date.UTC(2026, 2, 1) + n * 86_400_000);

describe('GET /leads', () => {
  let t: TestApp;
  let f: Fixtures;
  let leads: LeadFixtures;
  let tenant: Tenant;
  let A: LeadEntity;
  let B: LeadEntity;
  let C: LeadEntity;
  let D: LeadEntity;
  let team1: number;
  let team2: number;
  let source1: number;
  let rep1: string;
  let rep2: string;

  const list = (query = '', h: Record<string, string> = tenant.headers) =>
    t
      .http()
      .get(`/leads${query ? `?${query}` : ''}`)
      .set(h);
  const ids = async (query: string) => {
    const res = await list(query).expect(200);
    return res.body.data.map((l: ApiLead) => l.id);
  };
  /** Every text field of a fixture lead, `<prefix>-<field>`. */
  const texts = (prefix: string) => Object.fromEntries(LEAD_TEXT_FILTERS.map((k) => [k, `${prefix}-${k.toLowerCase()}`]));

  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
    leads = new LeadFixtures(t);
    const setup = new SetupFixtures(t);
    tenant = await f.tenant();
    const [r1, r2] = [await f.memberOf(tenant), await f.memberOf(tenant)];
    [rep1, rep2] = [r1.user.email, r2.user.email];
    [team1, team2] = [(await setup.team(tenant)).id, (await setup.team(tenant)).id];
    source1 = (await setup.leadSource(tenant, { teamId: team1 })).id;

    A = await leads.lead(tenant, {
      ...texts('alpha'),
      teamId: team1,
      leadSourceId: source1,
      numberOfEmployees: 10,
      monthlyTransactionVolume: 1000,
      interestedInSwitching: true,
      assignedTo: rep1,
      lastContacted: day(1),
      createdAt: day(0),
      updatedAt: day(5),
    });
    B = await leads.lead(tenant, {
      ...texts('beta'),
      company: 'beta_co%',
      teamId: team2,
      numberOfEmployees: 20,
      monthlyTransactionVolume: 2000,
      interestedInSwitching: false,
      assignedTo: rep2,
      lastContacted: day(3),
      createdAt: day(1),
      updatedAt: day(4),
    });
    C = await leads.lead(tenant, { firstName: 'gamma', lastName: 'zulu-Élan', createdAt: day(2), updatedAt: day(2) });
    D = await leads.lead(tenant, { firstName: 'delta', lastName: 'archived', archived: true, createdAt: day(3), updatedAt: day(3) });
    // Another account's lead that matches everything must never show.
    await leads.lead(await f.tenant(), { ...texts('alpha'), createdAt: day(0) });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists unarchived leads newest first, in the list envelope, without auditLog', async () => {
    const res = await list().expect(200);
    expect(res.body).toMatchObject({ totalCount: 3, totalPages: 1, currentPage: 1 });
    expect(res.body.data.map((l: ApiLead) => l.id)).toEqual([C.id, B.id, A.id]);
    const full = await t.http().get(`/leads/${A.id}`).set(tenant.headers).expect(200);
    const { auditLog: _log, ...withoutLog } = full.body;
    expect(res.body.data[2]).toEqual(withoutLog);
    expect(res.body.data.every((l: ApiLead) => !('auditLog' in l))).toBe(true);
  });

  it('filters on archived (default false)', async () => {
    await expect(ids('archived=true')).resolves.toEqual([D.id]);
    await expect(ids('archived=1')).resolves.toEqual([D.id]);
    await expect(ids('archived=false')).resolves.toEqual([C.id, B.id, A.id]);
    const bad = await list('archived=maybe').expect(400);
    expect(bad.body.details).toEqual([{ field: 'archived', message: 'archived must be true, false, 1 or 0' }]);
  });

  it('filters every text field by exact value', async () => {
    for (const field of LEAD_TEXT_FILTERS) {
      const value = (A as unknown as Record<string, string>)[field];
      await expect(ids(`${field}=${encodeURIComponent(value)}`)).resolves.toEqual([A.id]);
      await expect(ids(`${field}=${encodeURIComponent(value.toUpperCase())}`)).resolves.toEqual([]);
    }
    await expect(ids(`firstName=gamma`)).resolves.toEqual([C.id]);
  });

  it('filters integers, booleans, team, source and assignee', async () => {
    await expect(ids('numberOfEmployees=20')).resolves.toEqual([B.id]);
    await expect(ids('monthlyTransactionVolume=1000')).resolves.toEqual([A.id]);
    await expect(ids('interestedInSwitching=true')).resolves.toEqual([A.id]);
    await expect(ids('interestedInSwitching=0')).resolves.toEqual([B.id]);
    await expect(ids(`teamId=${team1}`)).resolves.toEqual([A.id]);
    await expect(ids(`teamId=${team2}`)).resolves.toEqual([B.id]);
    await expect(ids('teamId=null')).resolves.toEqual([C.id]);
    await expect(ids(`leadSourceId=${source1}`)).resolves.toEqual([A.id]);
    await expect(ids('leadSourceId=null')).resolves.toEqual([C.id, B.id]);
    await expect(ids(`assignedTo=${encodeURIComponent(rep1.toUpperCase())}`)).resolves.toEqual([A.id]);
    await expect(ids('assignedTo=null')).resolves.toEqual([C.id]);
    await expect(ids(`teamId=${team1}&assignedTo=${encodeURIComponent(rep2)}`)).resolves.toEqual([]);
  });

  it('filters createdAt, updatedAt and lastContacted by from,to (inclusive, either side open)', async () => {
    const iso = (n: number) => encodeURIComponent(day(n).toISOString());
    await expect(ids(`createdAt=${iso(1)},`)).resolves.toEqual([C.id, B.id]);
    await expect(ids(`createdAt=,${iso(0)}`)).resolves.toEqual([A.id]);
    await expect(ids(`createdAt=${iso(0)},${iso(1)}`)).resolves.toEqual([B.id, A.id]);
    await expect(ids(`updatedAt=${iso(4)},${iso(5)}`)).resolves.toEqual([B.id, A.id]);
    await expect(ids(`updatedAt=,${iso(3)}`)).resolves.toEqual([C.id]);
    await expect(ids(`lastContacted=${iso(2)},`)).resolves.toEqual([B.id]);
    await expect(ids(`lastContacted=2026-03-01,2026-03-02`)).resolves.toEqual([A.id]);
    for (const bad of ['yesterday', '2026-01-01,2026-02-01,2026-03-01', ',']) {
      const res = await list(`createdAt=${encodeURIComponent(bad)}`).expect(400);
      expect(res.body.details).toEqual([
        { field: 'createdAt', message: 'createdAt must be "from,to" with ISO 8601 dates (either may be empty)' },
      ]);
    }
  });

  it('searches the text fields case-insensitively, with LIKE wildcards taken literally', async () => {
    await expect(ids('search=ALPHA-COMPANY')).resolves.toEqual([A.id]);
    await expect(ids('search=alpha-notes')).resolves.toEqual([A.id]);
    await expect(ids(`search=${encodeURIComponent(rep2.toUpperCase())}`)).resolves.toEqual([B.id]);
    await expect(ids('search=ZUL')).resolves.toEqual([C.id]);
    // Every letter folds, not only ASCII (SQLite's own LOWER folds ASCII only).
    await expect(ids(`search=${encodeURIComponent('élan')}`)).resolves.toEqual([C.id]);
    await expect(ids(`search=${encodeURIComponent('U-ÉLA')}`)).resolves.toEqual([C.id]);
    await expect(ids(`search=${encodeURIComponent('_co%')}`)).resolves.toEqual([B.id]);
    await expect(ids(`search=${encodeURIComponent('%')}`)).resolves.toEqual([B.id]);
    await expect(ids('search=nothing-like-this')).resolves.toEqual([]);
    const nul = await list(`search=${encodeURIComponent('a\u0000b')}`).expect(400);
    expect(nul.body.details).toEqual([{ field: 'search', message: 'search must not contain NUL characters' }]);
  });

  (process.env.DATABASE_URL ? it : it.skip)('matches search with the expression of the trigram index on PostgreSQL', async () => {
    // The list query's search condition, alone: with sequential scans off, only an index on exactly
    // this expression can serve it (at a million leads the planner picks it by itself).
    const query = Object.assign(new ListLeadsQuery(), { search: 'zimmer' });
    const qb = applySearch(t.ds.getRepository(LeadEntity).createQueryBuilder('l').select('l.id'), query.search, LEAD_LIST_SPEC);
    const [sql, params] = qb.getQueryAndParameters();
    expect(sql).toMatch(/^SELECT .* WHERE lower\(coalesce\(.*chr\(31\).*\) LIKE \$1$/);
    const plan = await t.ds.transaction(async (em) => {
      await em.query('SET LOCAL enable_seqscan = off');
      return (await em.query(`EXPLAIN ${sql}`, params)) as { 'QUERY PLAN': string }[];
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('IDX_leads_search_trgm');
  });

  it('sorts on every lead field in both directions, NULLs last ascending and first descending', async () => {
    const all: ApiLead[] = (await list().expect(200)).body.data;
    const rank = (v: unknown) => (v === null ? 1 : 0);
    for (const field of LEAD_SORT_FIELDS) {
      for (const desc of [false, true]) {
        const expected = [...all]
          .sort((x, y) => {
            // An unset field is absent from the answer; it sorts as SQL NULL.
            const [a, b] = [x[field] ?? null, y[field] ?? null];
            const sign = desc ? -1 : 1;
            if (a === null || b === null) {
              if (a === b) return sign * (x.id - y.id);
              return sign * (rank(a) - rank(b));
            }
            if (a === b) return sign * (x.id - y.id);
            return sign * ((a as number | string) < (b as number | string) ? -1 : 1);
          })
          .map((l) => l.id);
        await expect(ids(`sort=${desc ? '-' : ''}${field}`)).resolves.toEqual(expected);
      }
    }
  });

  it('sorts on several fields and refuses unknown ones', async () => {
    await expect(ids('sort=archived,-numberOfEmployees')).resolves.toEqual([C.id, B.id, A.id]);
    await expect(ids('sort=interestedInSwitching,firstName')).resolves.toEqual([B.id, A.id, C.id]);
    const res = await list('sort=-password,firstName,auditLog').expect(400);
    expect(res.body.error).toBe('Invalid sort');
    expect(res.body.details).toEqual([
      { field: 'sort', message: 'unknown sort field "password"' },
      { field: 'sort', message: 'unknown sort field "auditLog"' },
    ]);
  });

  it('refuses unknown filters and malformed values', async () => {
    const res = await list('teamId=abc&numberOfEmployees=-1&colour=red').expect(400);
    const fields = res.body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['colour', 'numberOfEmployees', 'teamId']);
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        { field: 'teamId', message: 'teamId must be an integer from 1 to 2147483647, or null' },
        { field: 'numberOfEmployees', message: 'numberOfEmployees must be an integer from 0 to 2147483647' },
        { field: 'colour', message: 'colour is not an allowed property' },
      ]),
    );
    await list('teamId=99999999999').expect(400);
  });

  describe('paging', () => {
    let paged: Tenant;
    let all: number[];
    beforeAll(async () => {
      paged = await f.tenant();
      const same = day(10);
      // Equal createdAt on purpose: the id tie-breaker keeps pages disjoint.
      for (let i = 0; i < 25; i++) await leads.lead(paged, { firstName: `p${i}`, createdAt: same, updatedAt: same });
      all = (await list('pageSize=100', paged.headers).expect(200)).body.data.map((l: ApiLead) => l.id);
    });

    it('walks the pages without overlap, answers the last page and an empty page past the end', async () => {
      expect(all).toHaveLength(25);
      expect(all).toEqual([...all].sort((a, b) => b - a));
      const pages: number[] = [];
      for (const page of [1, 2, 3]) {
        const res = await list(`page=${page}&pageSize=10`, paged.headers).expect(200);
        expect(res.body).toMatchObject({ totalCount: 25, totalPages: 3, currentPage: page });
        pages.push(...res.body.data.map((l: ApiLead) => l.id));
      }
      expect(pages).toEqual(all);
      const last = await list('page=3&pageSize=10', paged.headers).expect(200);
      expect(last.body.data).toHaveLength(5);
      const past = await list('page=4&pageSize=10', paged.headers).expect(200);
      expect(past.body).toEqual({ data: [], totalCount: 25, totalPages: 3, currentPage: 4, nextCursor: null });
      const defaults = await list('', paged.headers).expect(200);
      expect(defaults.body).toMatchObject({ totalCount: 25, totalPages: 3, currentPage: 1 });
      expect(defaults.body.data).toHaveLength(10);
    });

    it.each(['-createdAt', 'createdAt', '-updatedAt,id', 'updatedAt,-id'])(
      'walks the same pages by keyset cursor as by page number (sort %s)',
      async (sort) => {
        const byPage: number[] = [];
        for (const page of [1, 2, 3]) {
          const res = await list(`page=${page}&pageSize=10&sort=${sort}`, paged.headers).expect(200);
          byPage.push(...res.body.data.map((l: ApiLead) => l.id));
        }
        const byCursor: number[] = [];
        let res = await list(`pageSize=10&sort=${sort}`, paged.headers).expect(200);
        const pagesSeen: number[] = [];
        for (;;) {
          pagesSeen.push(res.body.currentPage);
          expect(res.body).toMatchObject({ totalCount: 25, totalPages: 3 });
          byCursor.push(...res.body.data.map((l: ApiLead) => l.id));
          if (!res.body.nextCursor) break;
          res = await list(`pageSize=10&sort=${sort}&cursor=${res.body.nextCursor}`, paged.headers).expect(200);
        }
        expect(byCursor).toEqual(byPage);
        expect(pagesSeen).toEqual([1, 2, 3]);
      },
    );

    it('refuses a cursor made for another sort, a forged cursor, and a cursor on a sort it cannot follow', async () => {
      const first = await list('pageSize=10', paged.headers).expect(200);
      const other = await list(`pageSize=10&sort=createdAt&cursor=${first.body.nextCursor}`, paged.headers).expect(400);
      expect(other.body).toEqual({
        error: 'Invalid cursor',
        message: 'cursor must be the nextCursor of a previous page with the same sort',
        details: [{ field: 'cursor', message: 'cursor must be the nextCursor of a previous page with the same sort' }],
      });
      await list('pageSize=10&cursor=not-a-cursor', paged.headers).expect(400);
      const byName = await list('pageSize=10&sort=firstName', paged.headers).expect(200);
      expect(byName.body.nextCursor).toBeNull();
      await list(`pageSize=10&sort=firstName&cursor=${first.body.nextCursor}`, paged.headers).expect(400);
    });

    it('accepts pageSize 100 and refuses 101, page 0 and non-numbers', async () => {
      await list('pageSize=100', paged.headers).expect(200);
      const cases: [string, string][] = [
        ['pageSize=101', 'pageSize'],
        ['pageSize=0', 'pageSize'],
        ['page=0', 'page'],
        ['page=x', 'page'],
        ['page=1.5', 'page'],
      ];
      for (const [query, field] of cases) {
        const res = await list(query, paged.headers).expect(400);
        expect(res.body.error).toBe('Validation failed');
        expect(res.body.details.length).toBeGreaterThan(0);
        expect(res.body.details.every((d: { field: string }) => d.field === field)).toBe(true);
      }
    });
  });

  it('needs readLeads: a key without it is refused', async () => {
    const key = await new IdentityFixtures(t, f).apiKey(tenant, ['writeLeads']);
    const res = await list('', key.headers).expect(403);
    expect(res.body).toEqual({ error: 'Forbidden', message: 'Missing permission: readLeads' });
  });
});
