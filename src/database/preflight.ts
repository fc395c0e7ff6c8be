import { Client } from 'pg';
import { DatabaseConfig } from '../config/configuration';

/** Returns a one-line reason when PostgreSQL cannot be reached, so start-up fails with a clear message. */
export async function checkDatabaseReachable(db: DatabaseConfig): Promise<string | null> {
  if (db.type !== 'postgres') return null;
  const client = new Client({ connectionString: db.url, connectionTimeoutMillis: db.connectTimeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    const err = e as Error & { code?: string };
    const where = (() => {
      try {
        const u = new URL(db.url);
        return `${u.hostname}:${u.port || 5432}${u.pathname}`;
      } catch {
        return 'DATABASE_URL';
      }
    })();
    return `PostgreSQL at ${where} is unreachable: ${err.message || err.code || 'connection failed'}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
