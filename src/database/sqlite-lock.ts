import { DataSource } from 'typeorm';
import { ScopedStore } from './scoped-store';

/**
 * SQLite through better-sqlite3 has one connection. Two requests that each open a transaction on it
 * would interleave their statements ("cannot start a transaction within a transaction", or one
 * request's writes committed by another). This lock gives the connection to one logical unit of work
 * at a time: a transaction holds it from BEGIN to COMMIT/ROLLBACK, and a statement issued outside
 * any transaction waits for it. The owner is tracked in a ScopedStore (an AsyncLocalStorage that is
 * on only while a transaction holds the lock), so the statements of the transaction itself pass
 * straight through.
 */
export class SqliteConnectionLock {
  private readonly owner = new ScopedStore<symbol>();
  private tail: Promise<void> = Promise.resolve();
  private holder: symbol | null = null;

  isHeldByCurrentContext(): boolean {
    const token = this.owner.get();
    return token !== undefined && token === this.holder;
  }

  /** Runs `work` as if no unit of work held the lock in this context (its statements wait for it). */
  detached<T>(work: () => Promise<T>): Promise<T> {
    return this.owner.exit(work);
  }

  /** Runs `work` with exclusive use of the connection (re-entrant within the same context). */
  async runExclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.isHeldByCurrentContext()) return work();
    const token = Symbol('sqlite-lock');
    const release = await this.acquire();
    this.holder = token;
    try {
      return await this.owner.run(token, work);
    } finally {
      this.holder = null;
      release();
    }
  }

  /**
   * Runs ONE statement issued outside any transaction, in turn with the units of work. It marks no
   * context as the owner: a statement takes no lock of its own while it runs, so the AsyncLocalStorage
   * (and Node 20's promise hooks for every request in flight) stays off for reads and single writes.
   */
  async runStatement<T>(statement: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await statement();
    } finally {
      release();
    }
  }

  /** Waits for the units queued before this one; resolves to the function that lets the next one go. */
  private async acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((r) => (release = r));
    await previous;
    return release;
  }

  /** Routes every statement of the data source's single query runner through the lock. */
  install(dataSource: DataSource): void {
    const runner = dataSource.driver.createQueryRunner('master');
    const patched = runner as unknown as { __leadsLock?: boolean };
    if (patched.__leadsLock) return;
    patched.__leadsLock = true;
    const query = runner.query.bind(runner);
    const startTransaction = runner.startTransaction.bind(runner);
    type Query = (...args: unknown[]) => Promise<unknown>;
    const run = query as Query;
    (runner as unknown as { query: Query }).query = (...args) =>
      this.isHeldByCurrentContext() ? run(...args) : this.runStatement(() => run(...args));
    runner.startTransaction = async (isolation) => {
      if (!this.isHeldByCurrentContext()) {
        throw new Error('SQLite transactions must be started through TransactionService.run()');
      }
      return startTransaction(isolation);
    };
  }
}
