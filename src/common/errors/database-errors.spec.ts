import { QueryFailedError } from 'typeorm';
import { QueryRunnerAlreadyReleasedError } from 'typeorm/error/QueryRunnerAlreadyReleasedError';
import { QueryRunnerProviderAlreadyReleasedError } from 'typeorm/error/QueryRunnerProviderAlreadyReleasedError';
import { classifyDbError, describeDbError } from './database-errors';

const pgError = (code: string, extra: Record<string, unknown> = {}) =>
  new QueryFailedError('SELECT 1', [], Object.assign(new Error('driver error'), { code, ...extra }));

describe('database errors', () => {
  it('maps unique violations to 409 with the message of the known index', () => {
    expect(describeDbError(pgError('23505', { constraint: 'UQ_lead_rotations_active_team' }))).toEqual({
      status: 409,
      error: 'Conflict',
      message: 'The team already has an active lead rotation',
    });
    const sqlite = new QueryFailedError('INSERT', [], Object.assign(new Error('UNIQUE constraint failed: users.email'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }));
    expect(describeDbError(sqlite)).toMatchObject({ status: 409, message: 'A user with this email already exists' });
  });

  it('maps a lost or refused connection to 503', () => {
    expect(classifyDbError(new QueryRunnerAlreadyReleasedError())).toBe('unavailable');
    expect(classifyDbError(new QueryRunnerProviderAlreadyReleasedError())).toBe('unavailable');
    expect(classifyDbError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('unavailable');
    expect(classifyDbError(pgError('57P01'))).toBe('unavailable');
    expect(classifyDbError(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(describeDbError(new Error('timeout exceeded when trying to connect'))).toMatchObject({ status: 503, error: 'Service Unavailable' });
  });

  it('leaves unknown errors alone (they become 500 with an error id)', () => {
    expect(describeDbError(new TypeError('x is undefined'))).toBeNull();
  });
});
