import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { preparedName } from './prepared';
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
   * PostgreSQL, outside any open transaction: a transaction whose last statement goes out together
   * with its COMMIT. `work` reads (and takes its row locks) on `em`, then hands its one write, fixed
   * SQL text run as a prepared statement, to `finish`, which sends it and COMMIT back to back. The
   * database then releases the locks as soon as it has run the write, instead of waiting for this
   * process to read the write's answer and send COMMIT: under load that wait, behind other requests'
   * work, is most of the time a hot row stays locked. A failed write turns the COMMIT into a rollback;
   * if `work` throws before `finish`, the transaction is rolled back.
   */
  async runCommittingWith<T>(
    work: (em: EntityManager, finish: <R>(text: string, values: unknown[]) => Promise<R[]>) => Promise<T>,
  ): Promise<T> {
    const qr = this.dataSource.createQueryRunner();
    let finished = false;
    try {
      // BEGIN by hand (TypeORM's own bookkeeping would not know of the COMMIT sent below), queued
      // ahead of work's first statement rather than awaited: pg sends them back to back.
      const begun = qr.query('BEGIN');
      begun.catch(() => undefined);
      const finish = async <R>(text: string, values: unknown[]): Promise<R[]> => {
        finished = true;
        const client = (await qr.connect()) as PoolClient;
        // Queued in order on the connection: pg sends COMMIT the moment the write's answer arrives.
        const written = client.query({ name: preparedName(text), text, values });
        const committed = client.query('COMMIT');
        const [w, c] = await Promise.allSettled([written, committed]);
        if (w.status === 'rejected') throw w.reason;
        if (c.status === 'rejected') throw c.reason;
        return w.value.rows as R[];
      };
      try {
        const result = work(qr.manager, finish);
        await begun;
        return await result;
      } catch (e) {
        if (!finished) await qr.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      await qr.release();
    }
  }

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = this.ambient.get();
    if (current) return work(current);
    const open = () => this.dataSource.transaction((em) => this.ambient.run(em, () => work(em)));
    return this.sqliteLock ? this.sqliteLock.runExclusive(open) : open();
  }
}
