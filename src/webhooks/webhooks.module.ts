import { Module } from '@nestjs/common';
import { WebhookOutboxRepository } from './webhook-outbox.repository';
import { WebhookRetentionService } from './webhook-retention.service';
import { WebhookWorkerService } from './webhook-worker.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

@Module({
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhooksService, WebhookOutboxRepository, WebhookWorkerService, WebhookRetentionService],
  exports: [WebhookOutboxRepository, WebhookWorkerService],
})
export class WebhooksModule {}
