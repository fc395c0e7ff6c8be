import { HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';

export type DbErrorKind = 'unique' | 'foreignKey' | 'unavailable' | 'busy' | 'other';

/** What a clash on one unique index means to the client. */
export interface UniqueConstraintMessage {
  /** The index name, as PostgreSQL reports it. */
  pg: string;
  /** The indexed columns, as SQLite names them in "UNIQUE constraint failed: …". */
  sqlite: string;
  message: string;
}

const uniqueMessages: UniqueConstraintMessage[] = [];

/**
 * Declares the client's message for clashes on a domain's unique indexes. Each domain calls it beside
 * the entity that declares the indexes, so this module knows no domain's names.
 */
export function registerUniqueConstraints(...messages: UniqueConstraintMessage[]): void {
  uniqueMessages.push(...messages);
}

function uniqueMessage(constraint: string | undefined, driverMessage: string): string | undefined {
  if (constraint) return uniqueMessages.find((u) => u.pg === constraint)?.message;
  // SQLite names columns, and one index's columns may begin another's: the longest match is the index.
  const matches = uniqueMessages.filter((u) => driverMessage.includes(`failed: ${u.sqlite}`));
  return matches.sort((a, b) => b.sqlite.length - a.sqlite.length)[0]?.message;
}

const PG_UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

function driverError(err: unknown): { code?: string; constraint?: string; message: string } {
  const e = (err instanceof QueryFailedError ? (err as QueryFailedError & { driverError: unknown }).driverError : err) as {
    code?: string;
    constraint?: string;
    message?: string;
  };
  return { code: e?.code, constraint: e?.constraint, message: String(e?.message ?? '') };
}

/** TypeORM's own errors when the connection under a transaction was lost (e.g. terminated by the server). */
const LOST_CONNECTION_ERRORS =
  /^(QueryRunnerAlreadyReleasedError|QueryRunnerProviderAlreadyReleasedError|ConnectionIsNotSetError|ConnectionNotFoundError)$/;

export function classifyDbError(err: unknown): DbErrorKind {
  if (LOST_CONNECTION_ERRORS.test(String((err as Error)?.name))) return 'unavailable';
  const { code, message } = driverError(err);
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreignKey';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === '40001' || code === '40P01') return 'busy';
  if ((code && (PG_UNAVAILABLE_CODES.has(code) || NET_CODES.has(code))) || code === 'SQLITE_FULL' || code === 'SQLITE_IOERR') {
    return 'unavailable';
  }
  if (
    /Connection terminated|timeout exceeded when trying to connect|Connection refused|connect ECONNREFUSED|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down)|Cannot use a pool after calling end|Client was closed|Query read timeout/i.test(
      message,
    )
  ) {
    return 'unavailable';
  }
  return 'other';
}

/** Maps a database error to the client's status and message, or null when it is not a known kind. */
export function describeDbError(err: unknown): { status: number; error: string; message: string } | null {
  const kind = classifyDbError(err);
  const { constraint, message } = driverError(err);
  switch (kind) {
    case 'unique': {
      return {
        status: HttpStatus.CONFLICT,
        error: 'Conflict',
        message: uniqueMessage(constraint, message) ?? 'A record with the same unique values already exists',
      };
    }
    case 'foreignKey':
      return {
        status: HttpStatus.CONFLICT,
        error: 'Conflict',
        message: 'The record is referenced by other records, or refers to one that does not exist',
      };
    case 'busy':
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: 'The database is busy; retry the request',
      };
    case 'unavailable':
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: 'The database is unavailable; retry the request later',
      };
    default:
      return null;
  }
}
