import { Injectable } from '@nestjs/common';
import { EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { boundTimestamp, dialectOf, isPostgres, param } from '../database/dialect';
import { forNoKeyUpdate, forUpdate } from '../database/locking';
import { plannedQuery } from '../database/prepared';
import { entityFromRow } from '../database/rows';
import { TransactionService } from '../database/transaction.service';
import { WebhookAttempt } from './entities/webhook-attempt.entity';
import { DeliveryStatus, WebhookDelivery } from './entities/webhook-delivery.entity';
import { Webhook } from './entities/webhook.entity';
import { FailureRun, FailureRunChange, nextFailureRun } from './webhook-delivery';

type WebhookValues = Pick<Webhook, 'url' | 'events' | 'description' | 'active' | 'secretEncrypted' | 'createdBy' | 'updatedBy'>;

/** A delivery a worker has claimed, with what it needs to post it. */
export interface ClaimedDelivery {
  delivery: WebhookDelivery;
  url: string;
  secretEncrypted: string;
}

/** The last error of a delivery given up while its webhook was paused. */
export const GAVE_UP = 'not attempted again: its webhook kept failing for longer than the retry schedule (WEBHOOK_MAX_ATTEMPTS)';

/** A webhook whose run of consecutive failures or pause an attempt's record changed. */
export interface WebhookRunChange extends FailureRun {
  webhookId: number;
  accountId: number;
  pausedUntilBefore: Date | null;
}

/** What one attempt of a claimed delivery came to. */
export interface AttemptOutcome {
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  at: Date;
}

const CLAIMED_COLUMNS =
  'd.id, d.account_id, d.webhook_id, d.event_id, d.event_type, d.lead_id, d.data, d.created_at, d.status, d.attempts, d.next_attempt_at, d.last_status_code, d.last_error, d.last_duration_ms, d.updated_at';

/** "webhook `w` takes deliveries now": active, and not paused, except for pings (a paused webhook can still be tested). */
const claimable = (w: string, d: string, now: string) =>
  `${w}.active AND (${w}.paused_until IS NULL OR ${w}.paused_until <= ${now} OR ${d}.event_type = 'ping')`;

/** "webhook `w` is in a run of failures": it gets one delivery at a time per instance (see claimDue). */
const failing = (w: string) => `${w}.consecutive_failures > 0`;

/** "webhook `w` is failing and already has a delivery in flight in this instance" (`inFlight`: their webhook ids). */
const probing = (w: string, inFlight: string) => `${failing(w)} AND ${w}.id IN (${inFlight})`;

/**
 * PostgreSQL: claims up to $3 due deliveries of active webhooks in one statement (its own short
 * transaction): SKIP LOCKED lets the workers of every instance claim side by side, never the same row,
 * and the lease ($2) is the new `next_attempt_at`, so a delivery whose worker died is due again then.
 * Of a failing webhook it takes the oldest only, and none while this instance has one in flight
 * ($4); the others it locked stay due. The claim commits without waiting for its WAL flush
 * (synchronous_commit off for this transaction only): a claim lost with a database crash leaves its
 * delivery due again, which at least once delivery already allows, and the loop does not wait for a
 * disk flush before posting what it claimed.
 */
const CLAIM_PG = `WITH due AS (
    SELECT d.id, d.webhook_id, d.next_attempt_at FROM webhook_deliveries d
    WHERE d.status = 'pending' AND d.next_attempt_at <= $1
      AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND ${claimable('w', 'd', '$1')}
                  AND NOT (${probing('w', 'SELECT unnest($4::integer[])')}))
    ORDER BY d.next_attempt_at LIMIT $3 FOR UPDATE OF d SKIP LOCKED),
  c AS (SELECT due.id, row_number() OVER (PARTITION BY due.webhook_id ORDER BY due.next_attempt_at, due.id) AS nth FROM due)
  UPDATE webhook_deliveries d SET next_attempt_at = $2, attempts = d.attempts + 1, updated_at = $1
  FROM c, webhooks w WHERE d.id = c.id AND w.id = d.webhook_id AND (NOT ${failing('w')} OR c.nth = 1)
    AND (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
  RETURNING ${CLAIMED_COLUMNS}, w.url AS webhook_url, w.secret_encrypted AS webhook_secret`;

/** SQLite: the same claim (`inFlight` as a JSON array); the one connection runs one statement at a time. */
const CLAIM_SQLITE = `UPDATE webhook_deliveries SET next_attempt_at = ?, attempts = attempts + 1, updated_at = ?
  WHERE id IN (
    SELECT c.id FROM (
      SELECT due.id, due.failing, row_number() OVER (PARTITION BY due.webhook_id ORDER BY due.next_attempt_at, due.id) AS nth FROM (
        SELECT d.id, d.webhook_id, d.next_attempt_at, ${failing('w')} AS failing
        FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND ${claimable('w', 'd', '?')}
          AND NOT (${probing('w', 'SELECT value FROM json_each(?)')})
        WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at LIMIT ?) due
    ) c WHERE NOT c.failing OR c.nth = 1)
  RETURNING ${CLAIMED_COLUMNS.replace(/d\./g, '')}`;

/**
 * PostgreSQL: records the outcomes of several attempts in one statement: each delivery changes only
 * while it is still the claim its attempt made (pending, same attempt count), and every attempt is logged.
 */
const RECORD_PG = `WITH o AS (
    SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[], $5::timestamptz[], $6::int[], $7::text[], $8::int[], $9::timestamptz[])
      AS o(id, account_id, attempt, status, next_attempt_at, status_code, error, duration_ms, at)),
  u AS (
    UPDATE webhook_deliveries d SET status = o.status, next_attempt_at = o.next_attempt_at, last_status_code = o.status_code,
      last_error = o.error, last_duration_ms = o.duration_ms, updated_at = o.at
    FROM o WHERE d.id = o.id AND d.account_id = o.account_id AND d.attempts = o.attempt AND d.status = 'pending')
  INSERT INTO webhook_attempts (account_id, delivery_id, attempt, status_code, error, duration_ms, created_at)
    SELECT account_id, id, attempt, status_code, error, duration_ms, at FROM o`;

/** PostgreSQL: sets the runs and pauses of several webhooks in one statement. */
const SET_RUNS_PG = `UPDATE webhooks w SET consecutive_failures = r.failures, failing_since = r.since, paused_until = r.paused_until
  FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::timestamptz[]) AS r(id, failures, since, paused_until) WHERE w.id = r.id`;

/** Webhooks and their deliveries: every method of account data takes the account id and filters by it. */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly tx: TransactionService) {}

  listQuery(em: EntityManager, accountId: number, filters: { active?: boolean }): SelectQueryBuilder<Webhook> {
    const qb = em.createQueryBuilder(Webhook, 'w').where('w.account_id = :accountId', { accountId });
    if (filters.active !== undefined) qb.andWhere('w.active = :active', { active: filters.active });
    return qb;
  }

  /** The webhook, or null when the account has none with this id; `lock` holds it until the transaction ends (PostgreSQL). */
  findInAccount(em: EntityManager, accountId: number, id: number, opts: { lock?: boolean } = {}): Promise<Webhook | null> {
    const qb = em.createQueryBuilder(Webhook, 'w').where('w.id = :id AND w.account_id = :accountId', { id, accountId });
    return (opts.lock ? forUpdate(qb) : qb).getOne();
  }

  insert(em: EntityManager, accountId: number, values: WebhookValues): Promise<Webhook> {
    return em.save(em.create(Webhook, { ...values, accountId, consecutiveFailures: 0, failingSince: null, pausedUntil: null }));
  }

  /** Saves changes to a webhook loaded with `findInAccount` (so it is known to be in the account). */
  save(em: EntityManager, webhook: Webhook): Promise<Webhook> {
    return em.save(webhook);
  }

  /** Deletes the webhook; its deliveries and their attempts go with it (ON DELETE CASCADE). */
  async delete(em: EntityManager, accountId: number, id: number): Promise<void> {
    await em.delete(Webhook, { id, accountId });
  }

  deliveriesQuery(
    em: EntityManager,
    accountId: number,
    webhookId: number,
    filters: { status?: DeliveryStatus; eventType?: string; eventId?: string },
  ): SelectQueryBuilder<WebhookDelivery> {
    const qb = em
      .createQueryBuilder(WebhookDelivery, 'd')
      .where('d.account_id = :accountId AND d.webhook_id = :webhookId', { accountId, webhookId });
    if (filters.status !== undefined) qb.andWhere('d.status = :status', { status: filters.status });
    if (filters.eventType !== undefined) qb.andWhere('d.event_type = :eventType', { eventType: filters.eventType });
    if (filters.eventId !== undefined) qb.andWhere('d.event_id = :eventId', { eventId: filters.eventId });
    return qb;
  }

  findDelivery(em: EntityManager, accountId: number, webhookId: number, id: number): Promise<WebhookDelivery | null> {
    return em.findOne(WebhookDelivery, { where: { id, accountId, webhookId } });
  }

  /** The recorded attempts of the given deliveries of the account, oldest first, by delivery id. */
  async attemptsOf(em: EntityManager, accountId: number, deliveryIds: number[]): Promise<Map<number, WebhookAttempt[]>> {
    const out = new Map<number, WebhookAttempt[]>();
    if (!deliveryIds.length) return out;
    const rows = await em.find(WebhookAttempt, {
      where: { accountId, deliveryId: In(deliveryIds) },
      order: { deliveryId: 'ASC', id: 'ASC' },
    });
    for (const a of rows) {
      const key = Number(a.deliveryId);
      if (!out.has(key)) out.set(key, []);
      out.get(key)!.push(a);
    }
    return out;
  }

  /** A new delivery, due at once (a ping, a redelivery). */
  insertDelivery(
    em: EntityManager,
    accountId: number,
    values: Pick<WebhookDelivery, 'webhookId' | 'eventId' | 'eventType' | 'leadId' | 'data' | 'createdAt'>,
  ): Promise<WebhookDelivery> {
    const now = new Date();
    return em.save(
      em.create(WebhookDelivery, { ...values, accountId, status: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now }),
    );
  }

  /**
   * Claims up to `limit` deliveries due at `now` (any account: the workers serve them all), counting an
   * attempt on each and moving it to `leaseUntil`. A webhook in a run of failures (a receiver down or
   * hanging) gets one delivery at a time from this instance: none while one of `inFlight` (the webhooks
   * this instance is posting to) is its, else its oldest only, so it holds at most one slot while the
   * others deliver. A success ends the run, and its deliveries go at full speed again.
   */
  async claimDue(em: EntityManager, now: Date, leaseUntil: Date, limit: number, inFlight: number[]): Promise<ClaimedDelivery[]> {
    if (isPostgres(em)) {
      const rows = await plannedQuery<Record<string, unknown>>(em, CLAIM_PG, [now, leaseUntil, limit, inFlight]);
      return rows.map((r) => ({
        delivery: entityFromRow(em, WebhookDelivery, r),
        url: r.webhook_url as string,
        secretEncrypted: r.webhook_secret as string,
      }));
    }
    const dialect = dialectOf(em);
    const rows = (await em.query(CLAIM_SQLITE, [
      boundTimestamp(dialect, leaseUntil),
      boundTimestamp(dialect, now),
      boundTimestamp(dialect, now),
      JSON.stringify(inFlight),
      boundTimestamp(dialect, now),
      limit,
    ])) as Record<string, unknown>[];
    if (!rows.length) return [];
    const deliveries = rows.map((r) => entityFromRow(em, WebhookDelivery, r));
    const hooks = await em.find(Webhook, { where: { id: In([...new Set(deliveries.map((d) => d.webhookId))]) } });
    const byId = new Map(hooks.map((h) => [h.id, h]));
    return deliveries.flatMap((d) => {
      const hook = byId.get(d.webhookId);
      return hook ? [{ delivery: d, url: hook.url, secretEncrypted: hook.secretEncrypted }] : [];
    });
  }

  /**
   * Records the outcomes of claimed attempts and logs each, all together, in one transaction. A
   * delivery changes only while it is still the claim its attempt made (pending, same attempt count):
   * a worker whose lease ran out and whose delivery another worker claimed again only adds its attempt
   * to the log. Each webhook's run of consecutive failures moves by its change in `runs`
   * (nextFailureRun); returns the webhooks whose run or pause changed, with the pause they had before.
   */
  async recordAttempts(
    attempts: { delivery: WebhookDelivery; outcome: AttemptOutcome }[],
    runs: Map<number, FailureRunChange>,
  ): Promise<WebhookRunChange[]> {
    if (!attempts.length) return [];
    return this.tx.run(async (em) => {
      // The webhooks first, as pause() takes them: their runs cannot move under us, and two
      // transactions never wait for each other's deliveries and webhooks in opposite orders.
      const hooks = await forNoKeyUpdate(em.createQueryBuilder(Webhook, 'w'))
        .where({ id: In([...runs.keys()]) })
        .orderBy('w.id')
        .getMany();
      await this.writeOutcomes(em, attempts);
      const changed: WebhookRunChange[] = [];
      for (const hook of hooks) {
        const next = nextFailureRun(hook, runs.get(hook.id)!);
        if (next) changed.push({ webhookId: hook.id, accountId: hook.accountId, ...next, pausedUntilBefore: hook.pausedUntil });
      }
      await this.setRuns(em, changed);
      return changed;
    });
  }

  /** Each delivery as its attempt left it (while still that claim), and the attempt logged. */
  private async writeOutcomes(em: EntityManager, attempts: { delivery: WebhookDelivery; outcome: AttemptOutcome }[]): Promise<void> {
    if (isPostgres(em)) {
      const column = <T>(f: (a: (typeof attempts)[number]) => T) => attempts.map(f);
      await em.query(RECORD_PG, [
        column((a) => a.delivery.id),
        column((a) => a.delivery.accountId),
        column((a) => a.delivery.attempts),
        column((a) => a.outcome.status),
        column((a) => a.outcome.nextAttemptAt),
        column((a) => a.outcome.statusCode),
        column((a) => a.outcome.error),
        column((a) => a.outcome.durationMs),
        column((a) => a.outcome.at),
      ]);
      return;
    }
    for (const { delivery, outcome } of attempts) {
      await em.update(
        WebhookDelivery,
        { id: delivery.id, accountId: delivery.accountId, attempts: delivery.attempts, status: 'pending' },
        {
          status: outcome.status,
          nextAttemptAt: outcome.nextAttemptAt,
          lastStatusCode: outcome.statusCode,
          lastError: outcome.error,
          lastDurationMs: outcome.durationMs,
          updatedAt: outcome.at,
        },
      );
      await em.insert(WebhookAttempt, {
        accountId: delivery.accountId,
        deliveryId: delivery.id,
        attempt: delivery.attempts,
        statusCode: outcome.statusCode,
        error: outcome.error,
        durationMs: outcome.durationMs,
        createdAt: outcome.at,
      });
    }
  }

  /**
   * Pauses the webhook until `until`: its pending deliveries due before then (pings aside) are moved
   * to it, so claims need not pass over them; the outbox queues new events for then too. Those neither
   * queued nor attempted since `giveUpBefore` (for longer than the whole retry schedule) are marked
   * failed instead, so a receiver that stays away does not keep events pending longer than its retries
   * would have. (Not their `created_at`: that is the event's time, which a redelivery keeps.)
   */
  async pause(accountId: number, webhookId: number, until: Date, giveUpBefore: Date): Promise<void> {
    await this.tx.run(async (em) => {
      const dialect = dialectOf(em);
      const [p1, p2, p3, p4, p5] = [1, 2, 3, 4, 5].map((i) => param(dialect, i));
      const at = boundTimestamp(dialect, until);
      const now = boundTimestamp(dialect, new Date());
      await em.query(`UPDATE webhooks SET paused_until = ${p1} WHERE id = ${p2} AND account_id = ${p3}`, [at, webhookId, accountId]);
      await em.query(
        `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, last_error = ${p1}, updated_at = ${p2} ` +
          `WHERE webhook_id = ${p3} AND account_id = ${p4} AND status = 'pending' AND updated_at < ${p5} AND event_type <> 'ping'`,
        [GAVE_UP, now, webhookId, accountId, boundTimestamp(dialect, giveUpBefore)],
      );
      await em.query(
        `UPDATE webhook_deliveries SET next_attempt_at = ${p1} WHERE webhook_id = ${p2} AND account_id = ${p3} ` +
          `AND status = 'pending' AND next_attempt_at < ${p4} AND event_type <> 'ping'`,
        [at, webhookId, accountId, at],
      );
    });
  }

  /** After a pause ended (a success, a new URL): the deliveries it had moved (due at `pausedUntil`) are due `now`. */
  async resume(em: EntityManager, accountId: number, webhookId: number, pausedUntil: Date, now: Date): Promise<void> {
    const dialect = dialectOf(em);
    const [p1, p2, p3, p4] = [1, 2, 3, 4].map((i) => param(dialect, i));
    await em.query(
      `UPDATE webhook_deliveries SET next_attempt_at = ${p1} WHERE webhook_id = ${p2} AND account_id = ${p3} ` +
        `AND status = 'pending' AND next_attempt_at = ${p4}`,
      [boundTimestamp(dialect, now), webhookId, accountId, boundTimestamp(dialect, pausedUntil)],
    );
  }

  /** Sets webhooks' runs and pauses (not a change by a user: `updated_at` stays). */
  private async setRuns(em: EntityManager, runs: (FailureRun & { webhookId: number })[]): Promise<void> {
    if (!runs.length) return;
    if (isPostgres(em)) {
      await em.query(SET_RUNS_PG, [
        runs.map((r) => r.webhookId),
        runs.map((r) => r.consecutiveFailures),
        runs.map((r) => r.failingSince),
        runs.map((r) => r.pausedUntil),
      ]);
      return;
    }
    const at = (d: Date | null) => d && boundTimestamp(dialectOf(em), d);
    for (const r of runs) {
      await em.query('UPDATE webhooks SET consecutive_failures = ?, failing_since = ?, paused_until = ? WHERE id = ?', [
        r.consecutiveFailures,
        at(r.failingSince),
        at(r.pausedUntil),
        r.webhookId,
      ]);
    }
  }

  /**
   * One batch of the deliveries purge: of the `limit` deliveries after id `after` (oldest first),
   * deletes those delivered or failed before `cutoff` (last changed then: not `created_at`, the
   * event's time, which a redelivery keeps), with their attempts (the foreign key cascades). Pending
   * ones stay, whatever their age: an event is never dropped undelivered. `more` while every delivery
   * of the batch was older than the cutoff; `lastId` is where the next batch starts.
   */
  async deleteFinishedBefore(
    em: EntityManager,
    cutoff: Date,
    after: number,
    limit: number,
  ): Promise<{ deleted: number; more: boolean; lastId: number }> {
    const batch = await em
      .createQueryBuilder(WebhookDelivery, 'd')
      .select(['d.id', 'd.updatedAt', 'd.status'])
      .where('d.id > :after', { after })
      .orderBy('d.id', 'ASC')
      .limit(limit)
      .getMany();
    const old = batch.filter((d) => d.updatedAt < cutoff);
    const finished = old.filter((d) => d.status !== 'pending').map((d) => d.id);
    let deleted = 0;
    if (finished.length) {
      // The status is checked again as the row is deleted.
      const result = await em.delete(WebhookDelivery, { id: In(finished), status: In(['delivered', 'failed']) });
      deleted = result.affected ?? finished.length;
    }
    return { deleted, more: batch.length === limit && old.length === batch.length, lastId: batch.at(-1)?.id ?? after };
  }
}
