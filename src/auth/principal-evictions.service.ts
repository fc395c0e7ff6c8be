import { Global, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { listenerFor, notify, NotificationListener } from '../database/notifications';
import { TransactionService } from '../database/transaction.service';
import { decodePrincipalChange, encodePrincipalChange, PrincipalCache, PrincipalChange } from './principal-cache';

/** The channel every instance listens on for changes to principals. */
export const PRINCIPALS_CHANNEL = 'leads_principals';

/** What /health reports about the principal cache. */
export interface PrincipalCacheHealth {
  /** `on`: served from memory; `bypassed`: evictions cannot be received, every request reads the database; `off` by settings. */
  cache: 'on' | 'bypassed' | 'off';
  /** `notify`: PostgreSQL LISTEN/NOTIFY across instances; `in-process`: one process (SQLite). */
  eviction: 'notify' | 'in-process';
  entries: number;
  reason?: string;
}

/**
 * Owns the principal cache and keeps it honest. Writers that change what a principal is made of
 * (users, memberships, API keys, an account's settings) call `changed` inside their transaction:
 * the change is sent to every instance (NOTIFY, delivered at commit) and evicted here once the
 * transaction has committed, before the writer's response. Each instance listens on a dedicated
 * connection; while it is down the cache is bypassed, and it starts empty once resubscribed.
 */
@Injectable()
export class PrincipalEvictions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PrincipalCache');
  readonly cache: PrincipalCache;
  private readonly listener: NotificationListener | null;

  constructor(
    @InjectAppConfig() config: AppConfigType,
    @InjectDataSource() dataSource: DataSource,
    private readonly tx: TransactionService,
  ) {
    this.cache = new PrincipalCache({
      maxEntries: config.principalCache.maxEntries,
      ttlMs: config.principalCache.ttlSeconds * 1000,
    });
    this.listener = listenerFor(dataSource, PRINCIPALS_CHANNEL, {
      notification: (payload) => this.cache.evict(decodePrincipalChange(payload)),
      up: () => {
        const wasDown = this.cache.suspendedReason !== null;
        this.cache.resume();
        if (wasDown) this.logger.log('listening for principal changes: cache resumed (emptied)');
      },
      down: (reason) => {
        if (this.cache.suspendedReason === null)
          this.logger.warn(`principal change listener lost (${reason}): cache bypassed until it is back`);
        // /health is public: it names the state, the log has the database's own words.
        this.cache.suspend('eviction listener down');
      },
    });
    if (this.listener) this.cache.suspend('not subscribed yet');
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }

  /**
   * Records a change to principals in the transaction of `em`: every instance evicts what it names
   * once the transaction commits (this one before `TransactionService.run` resolves).
   */
  async changed(em: EntityManager, change: PrincipalChange): Promise<void> {
    await notify(em, PRINCIPALS_CHANNEL, encodePrincipalChange(change));
    this.tx.afterCommit(em, () => this.cache.evict(change));
  }

  health(): PrincipalCacheHealth {
    const reason = this.cache.suspendedReason;
    return {
      cache: reason !== null ? 'bypassed' : this.cache.active ? 'on' : 'off',
      eviction: this.listener ? 'notify' : 'in-process',
      entries: this.cache.size,
      ...(reason !== null ? { reason } : {}),
    };
  }
}

/** Global: the writers of several modules (users, API keys, accounts) record changes through it. */
@Global()
@Module({ providers: [PrincipalEvictions], exports: [PrincipalEvictions] })
export class PrincipalEvictionsModule {}
