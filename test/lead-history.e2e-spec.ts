import { leadEventCondition } from '../src/audit/audit-logs.repository';
import { Fixtures, Tenant } from './utils/fixtures';
import { createTestApp, TestApp } from './utils/test-app';

/**
 * A lead's history is read through the partial index of lead events: the entries that reads of the
 * lead leave (they carry its id too) are never visited, however many there are.
 */
describe("a lead's history read", () => {
  let t: TestApp;
  let tenant: Tenant;
  let leadId: number;
  const READS = 60;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await new Fixtures(t).tenant();
    leadId = (await t.http().post('/leads').set(tenant.headers).send({ firstName: 'A', lastName: 'B', company: 'C' }).expect(201)).body.id;
    await t.http().patch(`/leads/${leadId}`).set(tenant.headers).send({ company: 'D' }).expect(200);
    for (let i = 0; i < READS; i++) await t.http().get(`/leads/${leadId}`).set(tenant.headers).expect(200);
    await t.flushAudit();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers only the lead events, oldest first, after many reads', async () => {
    const res = await t.http().get(`/leads/${leadId}`).set(tenant.headers).expect(200);
    expect(res.body.auditLog.map((e: { event: string }) => e.event)).toEqual(['lead_created', 'lead_updated']);
    const [{ n }] = await t.ds.query(
      t.isPostgres
        ? 'SELECT count(*)::int AS n FROM audit_logs WHERE lead_id = $1'
        : 'SELECT count(*) AS n FROM audit_logs WHERE lead_id = ?',
      [leadId],
    );
    expect(Number(n)).toBeGreaterThanOrEqual(READS + 2);
  });

  it('visits no entry of a read: EXPLAIN shows the partial index of lead events, nothing filtered', async () => {
    const accountId = Number(tenant.accountId);
    if (t.isPostgres) {
      // Statistics as autovacuum would have them; a small table makes a sequential scan cheaper, so ask for the index plan.
      const plan = await t.ds.transaction(async (em) => {
        await em.query('ANALYZE audit_logs');
        await em.query('SET LOCAL enable_seqscan = off');
        await em.query('SET LOCAL enable_bitmapscan = off');
        const [row] = await em.query(
          `EXPLAIN (ANALYZE, FORMAT JSON) SELECT a.id FROM audit_logs a WHERE a.account_id = $1 AND a.lead_id = $2 AND ${leadEventCondition('a')} ORDER BY a.id`,
          [accountId, leadId],
        );
        return JSON.stringify(row['QUERY PLAN']);
      });
      expect(plan).toContain('"Index Name":"IDX_audit_logs_lead_history"');
      expect(plan).not.toMatch(/"Rows Removed by Filter":\s?[1-9]/);
    } else {
      const plan = (await t.ds.query(
        `EXPLAIN QUERY PLAN SELECT a.id FROM audit_logs a WHERE a.account_id = ? AND a.lead_id = ? AND ${leadEventCondition('a')} ORDER BY a.id`,
        [accountId, leadId],
      )) as { detail: string }[];
      const details = plan.map((p) => p.detail).join(' | ');
      expect(details).toMatch(/SEARCH a USING (COVERING )?INDEX IDX_audit_logs_lead_history \(account_id=\? AND lead_id=\?\)/);
    }
  });
});
