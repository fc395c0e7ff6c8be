import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DEMO_ADMIN, DemoDataService } from '../src/demo/demo-data.service';
import { Lead } from '../src/leads/entities/lead.entity';
import { createTestApp, TestApp } from './utils/test-app';

/**
 * The development quick start: on an empty database the demo account is created, and the commands
 * the log prints work exactly as printed (they are run here with bash and curl).
 */
describe('demo data', () => {
  let t: TestApp;
  let base: string;
  let scratchDb: string | null = null;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  beforeAll(async () => {
    if (process.env.DATABASE_URL) {
      // The demo needs an empty database; the PostgreSQL run's shared one holds other files' users.
      scratchDb = `leads_demo_${randomBytes(4).toString('hex')}`;
      await admin(`CREATE DATABASE "${scratchDb}"`);
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/${scratchDb}`;
      process.env.DATABASE_URL = url.toString();
    }
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t.close();
    if (scratchDb) await admin(`DROP DATABASE IF EXISTS "${scratchDb}" WITH (FORCE)`);
  });

  it('seeds an empty database once and prints a POST /leads curl that works as printed', async () => {
    const demo = t.app.get(DemoDataService);
    const seeded = await demo.seed();
    expect(seeded).not.toBeNull();
    await expect(demo.seed()).resolves.toBeNull();

    const script = demo
      .instructions(seeded!, base)
      .split('\n')
      .filter((l) => l.startsWith('  '))
      .map((l) => l.trim())
      .join('\n');
    expect(script).toContain(DEMO_ADMIN.password);
    // Asynchronously: the server answering curl runs in this very process.
    const { stdout: out } = await promisify(execFile)('bash', ['-c', script], { encoding: 'utf8', timeout: 30000 });
    const lead = JSON.parse(out);
    expect(lead).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      accountId: String(seeded!.accountId),
      teamId: seeded!.teamId,
      leadSourceId: seeded!.leadSourceId,
      assignedTo: 'ana@demo.local',
      createdBy: DEMO_ADMIN.email,
    });
    expect(lead.auditLog.map((e: { event: string }) => e.event)).toEqual(['lead_created']);
    await expect(t.ds.getRepository(Lead).count({ where: { accountId: seeded!.accountId } })).resolves.toBe(1);
  });
});
