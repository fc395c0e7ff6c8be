import { QueryFailedError } from 'typeorm';
import { QueryRunnerAlreadyReleasedError } from 'typeorm/error/QueryRunnerAlreadyReleasedError';
import { QueryRunnerProviderAlreadyReleasedError } from 'typeorm/error/QueryRunnerProviderAlreadyReleasedError';
import { classifyDbError, describeDbError, registerUniqueConstraints } from './database-errors';

const pgError = (code: string, extra: Record<string, unknown> = {}) =>
  new QueryFailedError('SELECT 1', [], Object.assign(new Error('driver error'), { code, ...extra }));
const sqliteUnique = (columns: string) =>
  new QueryFailedError(
    'INSERT',
    [],
    Object.assign(new Error(`UNIQUE constraint failed: ${columns}`), { code: 'SQLITE_CONSTRAINT_UNIQUE' }),
  );

registerUniqueConstraints(
  { pg: 'UQ_widgets_account', sqlite: 'widgets.account_id', message: 'The account already has a widget' },
  { pg: 'UQ_widgets_account_name', sqlite: 'widgets.account_id, widgets.name', message: 'A widget with this name already exists' },
);

describe('database errors', () => {
  it('maps unique violations to 409 with the message registered for the index', () => {
    expect(describeDbError(pgError('23505', { constraint: 'UQ_widgets_account_name' }))).toEqual({
      status: 409,
      error: 'Conflict',
      message: 'A widget with this name already exists',
    });
    expect(describeDbError(sqliteUnique('widgets.account_id'))).toMatchObject({ status: 409, message: 'The account already has a widget' });
  });

  it("tells SQLite's indexes apart when one's columns begin another's", () => {
    expect(describeDbError(sqliteUnique('widgets.account_id, widgets.name'))).toMatchObject({
      message: 'A widget with this name already exists',
    });
  });

  it('answers a generic 409 for an index nobody registered', () => {
    expect(describeDbError(pgError('23505', { constraint: 'UQ_unknown' }))).toEqual({
      status: 409,
      error: 'Conflict',
      message: 'A record with the same unique values already exists',
    });
    expect(describeDbError(sqliteUnique('gadgets.code'))).toMatchObject({ message: 'A record with the same unique values already exists' });
  });

  it('maps a lost or refused connection to 503', () => {
    expect(classifyDbError(new QueryRunnerAlreadyReleasedError())).toBe('unavailable');
    expect(classifyDbError(new QueryRunnerProviderAlreadyReleasedError())).toBe('unavailable');
    expect(classifyDbError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('unavailable');
    expect(classifyDbError(pgError('57P01'))).toBe('unavailable');
    expect(classifyDbError(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(describeDbError(new Error('timeout exceeded when trying to connect'))).toMatchObject({
      status: 503,
      error: 'Service Unavailable',
    });
  });

  it('leaves unknown errors alone (they become 500 with an error id)', () => {
    expect(describeDbError(new TypeError('x is undefined'))).toBeNull();
  });
});
