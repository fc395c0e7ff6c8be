import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { AuditLogsRepository } from './audit-logs.repository';

const DAY_MS = 86_400_000;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const FIRST_PURGE_DELAY_MS = 60 * 1000;
const BATCH = 1000;
/** A pause between batches, so the purge never competes with requests for long. */
const BATCH_PAUSE_MS = 50;

/**
 * Deletes audit entries older than AUDIT_RETENTION_DAYS (0 keeps them forever), hourly on every
 * instance, in small batches that each lock only the rows they delete. Instances that purge at the
 * same time only find fewer rows to delete.
 */
@Injectable()
export class AuditRetentionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRetentionService.name);
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly tx: TransactionService,
    private readonly repo: AuditLogsRepository,
    @InjectAppConfig() private readonly config: AppConfigType,
  ) {}

  onModuleInit(): void {
    if (this.config.auditRetentionDays === 0) return;
    const run = () => void this.purge().catch((e: Error) => this.logger.warn(`purge of old audit entries failed: ${e.message}`));
    this.timer = setTimeout(() => {
      run();
      this.timer = setInterval(run, PURGE_INTERVAL_MS);
      this.timer.unref();
    }, FIRST_PURGE_DELAY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Deletes every entry older than the retention period at `now`; returns how many went. */
  async purge(now = new Date()): Promise<number> {
    if (this.config.auditRetentionDays === 0) return 0;
    const cutoff = new Date(now.getTime() - this.config.auditRetentionDays * DAY_MS);
    let total = 0;
    for (;;) {
      const { deleted, more } = await this.repo.deleteOldestBefore(this.tx.manager, cutoff, BATCH);
      total += deleted;
      if (!more || this.stopped) break;
      await new Promise((resolve) => setTimeout(resolve, BATCH_PAUSE_MS));
    }
    if (total) this.logger.log(`deleted ${total} audit entries older than ${this.config.auditRetentionDays} days`);
    return total;
  }
}
