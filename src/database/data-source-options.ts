import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { DataSourceOptions } from 'typeorm';
import { ConfigError, DatabaseConfig } from '../config/configuration';
import { ENTITIES } from './entities';
import { POSTGRES_MIGRATIONS } from './migrations/postgres';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';
import { registerSqliteFunctions } from './sqlite-functions';

/** How long a SQLite statement waits for a lock held by another process before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * The one description of the database, used by the app (TypeOrmModule), the TypeORM CLI
 * (ormconfig.ts) and the tests. `synchronize` is never on: the schema comes from the migrations.
 */
export function dataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  if (db.type === 'postgres') {
    return {
      type: 'postgres',
      url: db.url,
      entities: ENTITIES,
      migrations: POSTGRES_MIGRATIONS,
      migrationsTableName: 'migrations',
      migrationsTransactionMode: 'each',
      synchronize: false,
      extra: {
        max: db.poolSize,
        connectionTimeoutMillis: db.connectTimeoutMs,
        statement_timeout: db.statementTimeoutMs || undefined,
        idle_in_transaction_session_timeout: 60000,
        application_name: 'leads-api',
      },
    };
  }
  try {
    mkdirSync(dirname(db.path), { recursive: true });
  } catch (e) {
    throw new ConfigError('DATABASE_PATH', `folder ${dirname(db.path)} cannot be created (${(e as Error).message})`);
  }
  return {
    type: 'better-sqlite3',
    database: db.path,
    entities: ENTITIES,
    migrations: SQLITE_MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    enableWAL: true,
    // Prepared statements kept per connection (TypeORM's default of 100 churns with batched audit inserts).
    statementCacheSize: 1000,
    prepareDatabase: (conn: Database.Database) => {
      conn.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      conn.pragma('foreign_keys = ON');
      // In WAL mode NORMAL never corrupts and loses nothing when the process dies; only an OS crash
      // can roll back the last commits.
      conn.pragma('synchronous = NORMAL');
      registerSqliteFunctions(conn);
    },
  };
}
