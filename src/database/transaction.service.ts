import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { dialectOf } from './dialect';
import { ScopedStore } from './scoped-store';
import { SqliteConnectionLock } from './sqlite-lock';

/**
 * The one way the service opens a transaction. A nested `run` (for example a service called inside
 * the idempotency wrapper's transaction) joins the transaction already open in its async context,
 * so a use case and everything wrapped around it commit together.
 */
@Injectable()
export class TransactionService {
  private readonly ambient = new ScopedStore<EntityManager>();
  /** What to do when the transaction of a manager commits or rolls back (see afterCommit, onRollback). */
  private readonly outcomes = new WeakMap<EntityManager, { committed: (() => void)[]; rolledBack: (() => void)[] }>();
  readonly sqliteLock: SqliteConnectionLock | null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.sqliteLock = dialectOf(dataSource) === 'sqlite' ? new SqliteConnectionLock() : null;
    if (this.sqliteLock && dataSource.isInitialized) this.sqliteLock.install(dataSource);
  }

  /** The manager of the transaction open in this async context, or the data source's own manager. */
  get manager(): EntityManager {
    return this.ambient.get() ?? this.dataSource.manager;
  }

  /**
   * Runs `work` outside any transaction open in the calling context, for writes that must not join
   * a request's transaction (the audit log's batched flush). Its statements take the connection lock
   * on SQLite like any statement issued outside a transaction.
   */
  detached<T>(work: () => Promise<T>): Promise<T> {
    return this.ambient.exit(() => (this.sqliteLock ? this.sqliteLock.detached(work) : work()));
  }

  /** Whether a transaction is open in the calling context (a nested `run` would join it). */
  get inTransaction(): boolean {
    return this.ambient.get() !== undefined;
  }

  /**
   * Runs `undo` if the transaction open in the calling context rolls back or fails to commit (for
   * state kept outside the database about what the transaction wrote); outside a transaction, never.
   */
  onRollback(undo: () => void): void {
    const em = this.ambient.get();
    if (em) this.outcomes.get(em)?.rolledBack.push(undo);
  }

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.open(work);
  }

  /**
   * Runs reads that must agree with each other (a page and the rows it refers to) on one snapshot of
   * the database: a REPEATABLE READ transaction on PostgreSQL, where each statement otherwise sees
   * what committed since the one before; on SQLite every transaction already reads one snapshot.
   * Inside an open transaction, joins it.
   */
  snapshot<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.open(work, this.sqliteLock ? undefined : 'REPEATABLE READ');
  }

  private open<T>(work: (em: EntityManager) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
    const current = this.ambient.get();
    if (current) return work(current);
    const outcome = { committed: [] as (() => void)[], rolledBack: [] as (() => void)[] };
    const begin = (em: EntityManager) => {
      this.outcomes.set(em, outcome);
      return this.ambient.run(em, () => work(em));
    };
    const open = () => (isolation ? this.dataSource.transaction(isolation, begin) : this.dataSource.transaction(begin));
    const done = this.sqliteLock ? this.sqliteLock.runExclusive(open) : open();
    return done.then(
      (result) => {
        for (const callback of outcome.committed) callback();
        return result;
      },
      (e: unknown) => {
        for (const undo of outcome.rolledBack) undo();
        throw e;
      },
    );
  }

  /**
   * Runs `callback` (synchronous, must not throw) once the transaction `em` belongs to has
   * committed, before the `run` that opened it resolves; never when it rolls back. Outside a
   * transaction (`em` is the data source's manager) a statement commits as it runs: at once.
   */
  afterCommit(em: EntityManager, callback: () => void): void {
    const outcome = this.outcomes.get(em);
    if (outcome) outcome.committed.push(callback);
    else callback();
  }
}
