import { createHash } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { TransactionService } from '../../database/transaction.service';
import { isStorableText } from '../validation/storable-text';
import { RateLimitBucketsRepository } from './rate-limit-buckets.repository';

const PURGE_INTERVAL_MS = 5 * 60 * 1000;

const KEY_MAX = 400;

/**
 * The stored key of a throttler key. A key holds what a client sent (the email of a login attempt,
 * read before validation), which may be text no database stores as given, or long: such a key is
 * stored as its digest instead, over its UTF-16 code units, so distinct keys stay distinct.
 */
export function bucketKey(key: string): string {
  if (key.length <= KEY_MAX && isStorableText(key)) return key;
  return `sha256:${createHash('sha256').update(key, 'utf16le').digest('hex')}`;
}

/**
 * Fixed-window counters in the database, so a limit holds across every instance sharing it (and the
 * embedded SQLite default needs no Redis). One atomic upsert per check: the window restarts when
 * its reset time has passed.
 */
@Injectable()
export class DbThrottlerStorage implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly tx: TransactionService,
    private readonly buckets: RateLimitBucketsRepository,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.purge().catch((e: Error) => this.logger.warn(`purge of rate-limit buckets failed: ${e.message}`));
    }, PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const now = new Date();
    const reset = new Date(now.getTime() + ttl);
    const { hits, resetAt } = await this.buckets.hit(this.tx.manager, bucketKey(key), now, reset);
    const secondsLeft = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
    const blocked = hits > limit;
    return { totalHits: hits, timeToExpire: secondsLeft, isBlocked: blocked, timeToBlockExpire: blocked ? secondsLeft : 0 };
  }

  async purge(): Promise<void> {
    await this.tx.run((em) => this.buckets.deleteExpired(em, new Date()));
  }
}
