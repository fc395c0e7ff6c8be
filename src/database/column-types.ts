import { ColumnType } from 'typeorm';
import { databaseType } from '../config/configuration';

/**
 * Entities are portable between SQLite and PostgreSQL, but a few column types must differ
 * (timestamptz and jsonb exist only on PostgreSQL). Decorators are evaluated when the entity
 * modules load, before any data source exists, so the database is read from the environment by the
 * same rule the configuration uses.
 */
const postgres = databaseType() === 'postgres';

export const TIMESTAMP: ColumnType = postgres ? 'timestamptz' : 'datetime';
export const JSON_COLUMN: ColumnType = postgres ? 'jsonb' : 'simple-json';
/** An id that must never run out. SQLite's INTEGER PRIMARY KEY is 64-bit already (and only it autoincrements). */
export const BIG_ID: 'bigint' | 'integer' = postgres ? 'bigint' : 'integer';
