import { Injectable } from '@nestjs/common';
import { EntityManager, LessThan } from 'typeorm';
import { boundTimestamp, dialectOf, param } from '../../database/dialect';
import { preparedQuery } from '../../database/prepared';
import { RateLimitBucket } from './entities/rate-limit-bucket.entity';

/** The fixed-window counters of the rate limiter, one row per stored key. */
@Injectable()
export class RateLimitBucketsRepository {
  /**
   * Counts `count` hits on `key` in one atomic upsert: the window restarts at `now` when its reset
   * time has passed, and then resets at `resetAt`. Returns the hits and reset time of the current window.
   */
  async hit(em: EntityManager, key: string, now: Date, resetAt: Date, count = 1): Promise<{ hits: number; resetAt: Date }> {
    const dialect = dialectOf(em);
    const [k, at, reset, n] = [1, 2, 3, 4].map((i) => param(dialect, i));
    const sql =
      `INSERT INTO rate_limit_buckets (key, hits, reset_at) VALUES (${k}, ${n}, ${reset}) ` +
      `ON CONFLICT (key) DO UPDATE SET ` +
      `hits = CASE WHEN rate_limit_buckets.reset_at <= ${at} THEN ${n} ELSE rate_limit_buckets.hits + ${n} END, ` +
      `reset_at = CASE WHEN rate_limit_buckets.reset_at <= ${at} THEN ${reset} ELSE rate_limit_buckets.reset_at END ` +
      `RETURNING hits, reset_at`;
    const params = [key, boundTimestamp(dialect, now), boundTimestamp(dialect, resetAt), count];
    // SQLite binds positional `?` in order of appearance, so its parameter list follows the text.
    const bound =
      dialect === 'postgres' ? params : [params[0], params[3], params[2], params[1], params[3], params[3], params[1], params[2]];
    const [row] = await preparedQuery<{ hits: number | string; reset_at: Date | string }>(em, sql, bound);
    const storedReset = row.reset_at instanceof Date ? row.reset_at : new Date(`${String(row.reset_at).replace(' ', 'T')}Z`);
    return { hits: Number(row.hits), resetAt: storedReset };
  }

  /** Deletes the counters whose window ended before `now`. */
  async deleteExpired(em: EntityManager, now: Date): Promise<void> {
    await em.delete(RateLimitBucket, { resetAt: LessThan(now) });
  }
}
