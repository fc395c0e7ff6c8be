import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { PeriodicPurge } from '../common/jobs/periodic-purge';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { WebhooksRepository } from './webhooks.repository';

const DAY_MS = 86_400_000;
const BATCH = 1000;

/**
 * Deletes deliveries delivered or failed longer than WEBHOOK_DELIVERY_RETENTION_DAYS ago (0 keeps them),
 * with their attempts, so the outbox does not grow without end; see PeriodicPurge.
 */
@Injectable()
export class WebhookRetentionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly purges = new PeriodicPurge(this.logger, 'old webhook deliveries');

  constructor(
    private readonly tx: TransactionService,
    private readonly repo: WebhooksRepository,
    @InjectAppConfig() private readonly config: AppConfigType,
  ) {}

  onModuleInit(): void {
    if (this.config.webhooks.deliveryRetentionDays > 0) this.purges.start(() => this.purge());
  }

  onApplicationShutdown(): void {
    this.purges.stop();
  }

  /** Deletes the finished deliveries older than the retention period at `now`; returns how many went. */
  async purge(now = new Date()): Promise<number> {
    const days = this.config.webhooks.deliveryRetentionDays;
    if (days === 0) return 0;
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    let after = 0;
    const total = await this.purges.drain(async () => {
      const batch = await this.repo.deleteFinishedBefore(this.tx.manager, cutoff, after, BATCH);
      after = batch.lastId;
      return batch;
    });
    if (total) this.logger.log(`deleted ${total} webhook deliveries older than ${days} days`);
    return total;
  }
}
