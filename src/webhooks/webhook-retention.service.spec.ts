import { Logger } from '@nestjs/common';
import { AppConfigType } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { WebhookRetentionService } from './webhook-retention.service';
import { WebhooksRepository } from './webhooks.repository';

function setup(days: number, batches: { deleted: number; more: boolean; lastId: number }[]) {
  const calls: { cutoff: Date; after: number }[] = [];
  const repo = {
    deleteFinishedBefore: jest.fn(async (_em: unknown, cutoff: Date, after: number) => {
      calls.push({ cutoff, after });
      return batches.shift() ?? { deleted: 0, more: false, lastId: after };
    }),
  } as unknown as WebhooksRepository;
  const config = { webhooks: { deliveryRetentionDays: days } } as AppConfigType;
  return { service: new WebhookRetentionService({ manager: {} } as TransactionService, repo, config), calls };
}

describe('WebhookRetentionService.purge', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('walks the deliveries batch after batch from where the last ended, with the cutoff the retention period before now', async () => {
    const { service, calls } = setup(30, [
      { deleted: 990, more: true, lastId: 1000 },
      { deleted: 1000, more: true, lastId: 2000 },
      { deleted: 7, more: false, lastId: 2500 },
    ]);
    await expect(service.purge(new Date('2026-12-01T10:00:00Z'))).resolves.toBe(1997);
    const cutoff = new Date('2026-11-01T10:00:00Z');
    expect(calls).toEqual([
      { cutoff, after: 0 },
      { cutoff, after: 1000 },
      { cutoff, after: 2000 },
    ]);
  });

  it('keeps every delivery when WEBHOOK_DELIVERY_RETENTION_DAYS is 0', async () => {
    const { service, calls } = setup(0, [{ deleted: 5, more: false, lastId: 5 }]);
    await expect(service.purge()).resolves.toBe(0);
    expect(calls).toEqual([]);
  });
});
