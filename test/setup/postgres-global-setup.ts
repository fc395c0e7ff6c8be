import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Creates a fresh database for this run on the server named by TEST_DATABASE_URL, and fails (not
 * skips) when that server cannot be reached. The teardown drops it.
 */
export default async function setup(): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `leads_e2e_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`PostgreSQL at TEST_DATABASE_URL is unreachable: ${(e as Error).message}`);
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  process.env.LEADS_E2E_PG_URL = url.toString();
  process.env.LEADS_E2E_PG_NAME = name;
}
