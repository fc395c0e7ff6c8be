import { randomUUID } from 'node:crypto';
import { HttpStatus, Logger } from '@nestjs/common';
import type { ErrorBody } from './api-error';
import { describeDbError } from './database-errors';

/**
 * The answer to an error that is not an HttpException: a database error mapped (unique → 409,
 * unreachable → 503), anything else a 500 whose id is logged with the stack, never sent. `where`
 * names the request (or the part of it) in the log.
 */
export function unexpectedErrorAnswer(error: unknown, logger: Logger, where: string): { status: number; body: ErrorBody } {
  const db = describeDbError(error);
  if (db) {
    if (db.status >= 500) logger.warn(`${where}: ${db.message} (${(error as Error).message})`);
    return { status: db.status, body: { error: db.error, message: db.message } };
  }
  const errorId = randomUUID();
  logger.error(`Unhandled error ${errorId} on ${where}: ${(error as Error)?.stack ?? String(error)}`);
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: { error: 'Internal Server Error', message: `An unexpected error occurred (error id ${errorId})` },
  };
}
