import { setTimeout as delay } from 'node:timers/promises';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ServingLoad } from '../common/runtime/serving-load';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { busyServing, deliveryOutcome, eventBody, failureRunChange, pauseMs, retryScheduleMs } from './webhook-delivery';
import { decryptSecret, deriveWebhookKey, signatureHeader } from './webhook-secrets';
import { AttemptTimeoutError, RefusedTargetError, WebhookHttpClient } from './webhook-http';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { AttemptOutcome, ClaimedDelivery, WebhookRunChange, WebhooksRepository } from './webhooks.repository';

/** How long an idle worker waits before it looks for due deliveries again. */
const IDLE_POLL_MS = 250;
/** Without a backlog, the wait after a claim that found deliveries before the next claim. */
const GATHER_MS = 20;
/** After a failed claim (the database away), the wait before the next. */
const ERROR_PAUSE_MS = 1000;
/** A claim's lease beyond the post's timeout: time to record the outcome. */
const LEASE_MARGIN_MS = 5000;
/** While busy serving requests (see busyServing): deliveries in flight at most, and the wait after each claim. */
const BUSY_SLOTS = 2;
const BUSY_PAUSE_MS = 100;

/** The text of a failed post, without anything of the request (the URL may carry a token). */
function describeFailure(e: unknown): string {
  if (e instanceof RefusedTargetError) return `refused: ${e.message}; nothing was sent`;
  if (e instanceof AttemptTimeoutError) return e.message;
  const code = (e as NodeJS.ErrnoException)?.code;
  return `request failed${typeof code === 'string' ? ` (${code})` : ''}`.slice(0, 500);
}

/** Decrypted secrets kept (webhooks are few; the map is cleared when full). */
const MAX_CACHED_SECRETS = 1000;

/** Outcomes are recorded together: a flush at most this long after the first one waiting. */
const RECORD_DELAY_MS = 5;

/**
 * Delivers the outbox, off the request path: up to WEBHOOK_WORKERS deliveries in flight in every
 * instance, BUSY_SLOTS while it is busy serving requests (busyServing). One loop claims as many due
 * deliveries as there are free slots (see WebhooksRepository.claimDue), posts each with a timeout, and
 * records the outcomes of the attempts that finish close together in one transaction. A post holds
 * its slot for at most the timeout, and a webhook whose attempts are failing (a receiver down or
 * hanging) gets one slot at a time, so the others go on delivering. An instance that dies mid-post
 * leaves its deliveries to be claimed again when their lease ends: delivery is at least once. On
 * shutdown the loop stops claiming and the posts in flight finish.
 */
@Injectable()
export class WebhookWorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly key: Buffer;
  private readonly http: WebhookHttpClient;
  /** Secrets by webhook id and stored ciphertext: a changed ciphertext is a new entry. */
  private readonly secrets = new Map<string, string>();
  private stopping = false;
  private running: Promise<void> | null = null;
  private readonly sleepers = new Set<() => void>();
  private recording: { delivery: WebhookDelivery; outcome: AttemptOutcome; done: () => void }[] = [];
  private recordTimer: NodeJS.Timeout | null = null;
  /** Outcomes not yet written (shutdown waits for them; the claim's lease covers the wait). */
  private readonly unrecorded = new Set<Promise<void>>();
  private readonly load = new ServingLoad();

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly tx: TransactionService,
    @InjectAppConfig() private readonly config: AppConfigType,
  ) {
    this.key = deriveWebhookKey(config.webhooks.secretKey);
    this.http = new WebhookHttpClient(Math.max(1, config.webhooks.workers));
  }

  onApplicationBootstrap(): void {
    if (this.config.webhooks.workers > 0) this.running = this.loop(this.config.webhooks.workers);
  }

  /** Stops claiming and waits for the posts in flight and their records. Safe to call more than once. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** Ends the loop's idle wait now (a delivery was just queued). */
  wake(): void {
    for (const wake of this.sleepers) wake();
  }

  /** Waits `ms`, or less when woken. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async loop(slots: number): Promise<void> {
    const { timeoutMs } = this.config.webhooks;
    const inFlight = new Set<Promise<void>>();
    // Deliveries in flight by webhook: the claim gives a failing webhook none while it has one here.
    const perWebhook = new Map<number, number>();
    // While a backlog is left (the last claim got all it asked for), claim for half the slots at once
    // rather than for each slot as it frees up: fewer claims per delivery.
    let backlog = false;
    let wasBusy = false;
    while (!this.stopping) {
      const busy = busyServing(this.load.current());
      if (busy !== wasBusy) {
        this.logger.debug(busy ? 'busy serving requests: deliveries slow down until the load falls' : 'deliveries at full speed again');
        wasBusy = busy;
      }
      const free = (busy ? Math.min(slots, BUSY_SLOTS) : slots) - inFlight.size;
      if (free <= 0 || (!busy && backlog && free < Math.ceil(slots / 2))) {
        await Promise.race(inFlight);
        continue;
      }
      let claimed: ClaimedDelivery[];
      try {
        const now = new Date();
        const leaseUntil = new Date(now.getTime() + timeoutMs + LEASE_MARGIN_MS);
        claimed = await this.repo.claimDue(this.tx.manager, now, leaseUntil, free, [...perWebhook.keys()]);
      } catch (e) {
        if (this.stopping) break;
        this.logger.warn(`claiming webhook deliveries failed: ${(e as Error).message}`);
        await this.sleep(ERROR_PAUSE_MS);
        continue;
      }
      backlog = claimed.length === free;
      for (const c of claimed) {
        const webhookId = c.delivery.webhookId;
        perWebhook.set(webhookId, (perWebhook.get(webhookId) ?? 0) + 1);
        const p: Promise<void> = this.deliver(c).finally(() => {
          inFlight.delete(p);
          const left = perWebhook.get(webhookId)! - 1;
          if (left) perWebhook.set(webhookId, left);
          else perWebhook.delete(webhookId);
        });
        inFlight.add(p);
      }
      // Not a sleep that wake() ends: while busy, every create would end it.
      if (busy) await delay(BUSY_PAUSE_MS);
      // No backlog: wait a little before claiming again, so that the next claim serves the deliveries
      // queued meanwhile together rather than one claim each (nothing due: the poll interval).
      if (!backlog) await this.sleep(claimed.length ? GATHER_MS : IDLE_POLL_MS);
    }
    await Promise.all(inFlight);
    await Promise.all(this.unrecorded);
    this.http.destroy();
  }

  /**
   * One attempt of a claimed delivery; resolves once it is answered (its slot is free again), while
   * its outcome waits to be recorded with others (see `unrecorded`).
   */
  private async deliver({ delivery, url, secretEncrypted }: ClaimedDelivery): Promise<void> {
    const { timeoutMs, allowPrivateUrls } = this.config.webhooks;
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const body = eventBody(delivery);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'leads-api-webhooks',
        'leads-event-id': delivery.eventId,
        'leads-event-type': delivery.eventType,
        'leads-signature': signatureHeader(this.secretOf(delivery.webhookId, secretEncrypted), Math.floor(Date.now() / 1000), body),
      };
      statusCode = await this.http.post(url, headers, body, { timeoutMs, allowPrivate: allowPrivateUrls });
    } catch (e) {
      error = describeFailure(e);
    }
    const at = new Date();
    const outcome = deliveryOutcome(statusCode, delivery.attempts, this.config.webhooks, at);
    if (outcome.status !== 'delivered') {
      this.logger.warn(
        `webhook ${delivery.webhookId} delivery ${delivery.id} attempt ${delivery.attempts}: ${error ?? `HTTP ${statusCode}`} (${outcome.status})`,
      );
    }
    const recorded: Promise<void> = new Promise<void>((done) => {
      this.recording.push({ delivery, outcome: { ...outcome, statusCode, error, durationMs: at.getTime() - started, at }, done });
      this.recordTimer ??= setTimeout(() => void this.flushRecords(), RECORD_DELAY_MS);
    }).finally(() => this.unrecorded.delete(recorded));
    this.unrecorded.add(recorded);
  }

  private secretOf(webhookId: number, encrypted: string): string {
    const key = `${webhookId}:${encrypted}`;
    let secret = this.secrets.get(key);
    if (secret === undefined) {
      if (this.secrets.size >= MAX_CACHED_SECRETS) this.secrets.clear();
      secret = decryptSecret(this.key, encrypted);
      this.secrets.set(key, secret);
    }
    return secret;
  }

  private async flushRecords(): Promise<void> {
    this.recordTimer = null;
    const batch = this.recording;
    this.recording = [];
    const runs = new Map<number, { delivered: boolean; at: Date }[]>();
    for (const { delivery, outcome } of batch) {
      const run = runs.get(delivery.webhookId) ?? [];
      run.push({ delivered: outcome.status === 'delivered', at: outcome.at });
      runs.set(delivery.webhookId, run);
    }
    const changes = new Map([...runs].map(([id, attempts]) => [id, failureRunChange(attempts)]));
    let changed: WebhookRunChange[] = [];
    try {
      changed = await this.repo.recordAttempts(batch, changes);
    } catch (e) {
      // Their leases end and the deliveries are attempted again: at least once.
      this.logger.warn(`recording ${batch.length} webhook attempts failed: ${(e as Error).message}`);
    }
    try {
      await this.followRuns(changed, changes);
    } catch (e) {
      // The run is recorded: the next failure pauses the webhook, the next success resumes it.
      this.logger.warn(`pausing or resuming a webhook failed: ${(e as Error).message}`);
    }
    for (const r of batch) r.done();
  }

  /**
   * A webhook whose run of failures reached WEBHOOK_PAUSE_AFTER_FAILURES with these attempts pauses
   * (pauseMs); one whose pause a success ended has the deliveries the pause had moved due at once.
   */
  private async followRuns(changed: WebhookRunChange[], runs: Map<number, { reset: boolean; failures: number }>): Promise<void> {
    const now = new Date();
    for (const c of changed) {
      const run = runs.get(c.webhookId)!;
      const failingFor = c.failingSince ? now.getTime() - c.failingSince.getTime() : 0;
      const ms = run.failures > 0 ? pauseMs(c.consecutiveFailures, failingFor, this.config.webhooks) : 0;
      if (ms > 0) {
        const giveUpBefore = new Date(now.getTime() - retryScheduleMs(this.config.webhooks));
        await this.repo.pause(c.accountId, c.webhookId, new Date(now.getTime() + ms), giveUpBefore);
        this.logger.warn(`webhook ${c.webhookId}: ${c.consecutiveFailures} attempts failed in a row; its deliveries wait ${ms} ms`);
      } else if (run.reset && c.pausedUntilBefore) {
        await this.repo.resume(this.tx.manager, c.accountId, c.webhookId, c.pausedUntilBefore, now);
        this.wake();
      }
    }
  }
}
