import { createHash } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { TransactionService } from '../../database/transaction.service';
import { PeriodicPurge } from '../jobs/periodic-purge';
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

/** How long hits counted locally may wait before they reach the database. */
export const LOCAL_FLUSH_MS = 100;
/** Local buckets kept at most (a sweep drops the ended ones first). */
const LOCAL_MAX = 50_000;

/**
 * Hits left in a window below which every hit asks the database at once: low limits (logins) are
 * always exact, and a busy key turns exact before its limit even when other instances have hits not
 * yet sent.
 */
export const exactMargin = (limit: number): number => Math.max(10, Math.ceil(limit * 0.05));

interface LocalBucket {
  /** The window's hits: the database's last answer plus the hits counted here since. */
  hits: number;
  /** Hits counted here and not yet sent. */
  pending: number;
  resetAt: number;
  /** The window's length. */
  ttl: number;
}

/**
 * Fixed-window counters in the database, so a limit holds across every instance sharing it (and the
 * embedded SQLite default needs no Redis). A hit far from the limit is counted in memory and sent
 * with the key's other hits within LOCAL_FLUSH_MS (one upsert per key), so a request pays no round
 * trip and no write for it; a hit within exactMargin of the limit, or the first of a window, is one
 * atomic upsert before the answer. A stopping instance sends its unsent hits before the database
 * closes; one that dies leaves them uncounted.
 */
@Injectable()
export class DbThrottlerStorage implements ThrottlerStorage, OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly purges = new PeriodicPurge(this.logger, 'expired rate-limit buckets', {
    intervalMs: PURGE_INTERVAL_MS,
    firstDelayMs: PURGE_INTERVAL_MS,
  });
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly local = new Map<string, LocalBucket>();

  constructor(
    private readonly tx: TransactionService,
    private readonly buckets: RateLimitBucketsRepository,
  ) {}

  onModuleInit(): void {
    this.purges.start(() => this.purge());
  }

  /** Before the database closes (onApplicationShutdown): the hits counted here and not yet sent. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await this.flush().catch((e: Error) => this.logger.warn(`rate-limit hits not sent at shutdown: ${e.message}`));
    if (this.flushTimer) clearTimeout(this.flushTimer);
  }

  onApplicationShutdown(): void {
    this.purges.stop();
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const stored = bucketKey(key);
    const now = Date.now();
    let bucket = this.local.get(stored);
    if (bucket && bucket.resetAt > now && limit - bucket.hits > exactMargin(limit)) {
      bucket.hits++;
      bucket.pending++;
      this.scheduleFlush();
      return record(bucket.hits, bucket.resetAt, now, limit);
    }
    if (!bucket) {
      if (this.local.size >= LOCAL_MAX) this.sweep(now);
      // A limit too low to ever count locally (logins), or a full table: the hit goes straight to the database.
      if (limit - 1 <= exactMargin(limit) || this.local.size >= LOCAL_MAX) {
        const answer = await this.buckets.hit(this.tx.manager, stored, new Date(now), new Date(now + ttl), 1);
        return record(answer.hits, answer.resetAt.getTime(), now, limit);
      }
      this.local.set(stored, (bucket = { hits: 0, pending: 0, resetAt: 0, ttl }));
    }
    bucket.pending++;
    const answer = await this.send(stored, bucket);
    return record(answer.hits, answer.resetAt.getTime(), now, limit);
  }

  /** Sends the bucket's unsent hits in one upsert and takes the database's count as the bucket's. */
  private async send(stored: string, bucket: LocalBucket): Promise<{ hits: number; resetAt: Date }> {
    const count = bucket.pending;
    bucket.pending = 0;
    const now = new Date();
    try {
      const answer = await this.buckets.hit(this.tx.manager, stored, now, new Date(now.getTime() + bucket.ttl), count);
      // Hits counted here while the upsert ran are the bucket's still.
      bucket.hits = answer.hits + bucket.pending;
      bucket.resetAt = answer.resetAt.getTime();
      return answer;
    } catch (e) {
      bucket.pending += count;
      throw e;
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush().catch((e: Error) => this.logger.warn(`rate-limit hits not sent: ${e.message}`));
    }, LOCAL_FLUSH_MS);
    this.flushTimer.unref();
  }

  /** Sends every bucket's unsent hits. */
  async flush(): Promise<void> {
    const sends: Promise<unknown>[] = [];
    for (const [stored, bucket] of this.local) if (bucket.pending > 0) sends.push(this.send(stored, bucket));
    const results = await Promise.allSettled(sends);
    this.sweep(Date.now());
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      this.scheduleFlush();
      throw failed.reason;
    }
  }

  /** Drops the buckets whose window has ended and that have nothing left to send. */
  private sweep(now: number): void {
    for (const [stored, bucket] of this.local) if (bucket.resetAt <= now && bucket.pending === 0) this.local.delete(stored);
  }

  async purge(): Promise<void> {
    await this.tx.run((em) => this.buckets.deleteExpired(em, new Date()));
  }
}

function record(hits: number, resetAt: number, now: number, limit: number): ThrottlerStorageRecord {
  const secondsLeft = Math.max(1, Math.ceil((resetAt - now) / 1000));
  const blocked = hits > limit;
  return { totalHits: hits, timeToExpire: secondsLeft, isBlocked: blocked, timeToBlockExpire: blocked ? secondsLeft : 0 };
}
