import { Logger } from '@nestjs/common';
import { AppConfigType } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditRetentionService } from './audit-retention.service';

function setup(days: number, batches: { deleted: number; more: boolean }[]) {
  const calls: Date[] = [];
  const repo = {
    deleteOldestBefore: jest.fn(async (_em: unknown, cutoff: Date) => {
      calls.push(cutoff);
      return batches.shift() ?? { deleted: 0, more: false };
    }),
  } as unknown as AuditLogsRepository;
  const service = new AuditRetentionService({ manager: {} } as TransactionService, repo, { auditRetentionDays: days } as AppConfigType);
  return { service, calls };
}

describe('AuditRetentionService.purge', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('deletes batch after batch until one says there is no more, with the cutoff AUDIT_RETENTION_DAYS before now', async () => {
    const { service, calls } = setup(30, [
      { deleted: 1000, more: true },
      { deleted: 1000, more: true },
      { deleted: 12, more: false },
      { deleted: 999, more: true },
    ]);
    const now = new Date('2026-12-01T10:00:00Z');
    await expect(service.purge(now)).resolves.toBe(2012);
    expect(calls).toEqual(Array(3).fill(new Date('2026-11-01T10:00:00Z')));
  });

  it('keeps everything when AUDIT_RETENTION_DAYS is 0', async () => {
    const { service, calls } = setup(0, [{ deleted: 5, more: false }]);
    await expect(service.purge()).resolves.toBe(0);
    expect(calls).toEqual([]);
  });
});
