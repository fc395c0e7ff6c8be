import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
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
  /** Undo callbacks of the open transactions (see onRollback), by their manager. */
  private readonly rollbacks = new WeakMap<EntityManager, (() => void)[]>();
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
    if (!em) return;
    const undos = this.rollbacks.get(em);
    if (undos) undos.push(undo);
    else this.rollbacks.set(em, [undo]);
  }

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = this.ambient.get();
    if (current) return work(current);
    let manager: EntityManager | undefined;
    const open = async () => {
      try {
        return await this.dataSource.transaction((em) => this.ambient.run((manager = em), () => work(em)));
      } catch (e) {
        for (const undo of (manager && this.rollbacks.get(manager)) ?? []) undo();
        throw e;
      }
    };
    return this.sqliteLock ? this.sqliteLock.runExclusive(open) : open();
  }
}
