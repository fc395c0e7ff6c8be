import { Client } from 'pg';

export default async function teardown(): Promise<void> {
  const name = process.env.LEADS_E2E_PG_NAME;
  if (!name || !process.env.TEST_DATABASE_URL || process.env.KEEP_TEST_DATABASE) return;
  const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
