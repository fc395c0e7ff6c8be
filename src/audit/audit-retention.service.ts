import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { PeriodicPurge } from '../common/jobs/periodic-purge';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { AuditLogsRepository } from './audit-logs.repository';

const DAY_MS = 86_400_000;
const BATCH = 1000;

/** Deletes audit entries older than AUDIT_RETENTION_DAYS (0 keeps them forever); see PeriodicPurge. */
@Injectable()
export class AuditRetentionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRetentionService.name);
  private readonly purges = new PeriodicPurge(this.logger, 'old audit entries');

  constructor(
    private readonly tx: TransactionService,
    private readonly repo: AuditLogsRepository,
    @InjectAppConfig() private readonly config: AppConfigType,
  ) {}

  onModuleInit(): void {
    if (this.config.auditRetentionDays > 0) this.purges.start(() => this.purge());
  }

  onApplicationShutdown(): void {
    this.purges.stop();
  }

  /** Deletes every entry older than the retention period at `now`; returns how many went. */
  async purge(now = new Date()): Promise<number> {
    if (this.config.auditRetentionDays === 0) return 0;
    const cutoff = new Date(now.getTime() - this.config.auditRetentionDays * DAY_MS);
    const total = await this.purges.drain(() => this.repo.deleteOldestBefore(this.tx.manager, cutoff, BATCH));
    if (total) this.logger.log(`deleted ${total} audit entries older than ${this.config.auditRetentionDays} days`);
    return total;
  }
}
