import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { deliveryOutcome, eventBody } from './webhook-delivery';
import { decryptSecret, deriveWebhookKey, signatureHeader } from './webhook-secrets';
import { privateTargetProblem } from './webhook-targets';
import { ClaimedDelivery, WebhooksRepository } from './webhooks.repository';

/** How long an idle worker waits before it looks for due deliveries again. */
const IDLE_POLL_MS = 250;
/** After a failed claim (the database away), the wait before the next. */
const ERROR_PAUSE_MS = 1000;
/** A claim's lease beyond the post's timeout: time to record the outcome. */
const LEASE_MARGIN_MS = 5000;

/** The text of a failed post, without anything of the request (the URL may carry a token). */
function describeFailure(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = err?.cause?.code ?? err?.cause?.message;
  return `request failed${cause ? ` (${cause})` : ''}`.slice(0, 500);
}

/**
 * Delivers the outbox, off the request path: WEBHOOK_WORKERS loops in every instance, each claiming
 * one due delivery at a time (see WebhooksRepository.claimDue), posting it with a timeout, and
 * recording the outcome. A worker that dies mid-post leaves its delivery to be claimed again when
 * the lease ends: delivery is at least once. On shutdown the loops stop claiming and the posts in
 * flight finish (each within the timeout).
 */
@Injectable()
export class WebhookWorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly key: Buffer;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly tx: TransactionService,
    private readonly repo: WebhooksRepository,
    @InjectAppConfig() private readonly config: AppConfigType,
  ) {
    this.key = deriveWebhookKey(config.webhooks.secretKey);
  }

  onApplicationBootstrap(): void {
    for (let i = 0; i < this.config.webhooks.workers; i++) this.loops.push(this.loop());
  }

  /** Stops claiming and waits for the posts in flight. Safe to call more than once. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.sleepers) wake();
    await Promise.all(this.loops);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** Ends an idle wait of every worker now (a delivery was just queued). */
  wake(): void {
    for (const wake of this.sleepers) wake();
  }

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

  private async loop(): Promise<void> {
    const { timeoutMs } = this.config.webhooks;
    while (!this.stopping) {
      let claimed: ClaimedDelivery[];
      try {
        const now = new Date();
        claimed = await this.repo.claimDue(this.tx.manager, now, new Date(now.getTime() + timeoutMs + LEASE_MARGIN_MS), 1);
      } catch (e) {
        if (this.stopping) break;
        this.logger.warn(`claiming webhook deliveries failed: ${(e as Error).message}`);
        await this.sleep(ERROR_PAUSE_MS);
        continue;
      }
      if (!claimed.length) {
        await this.sleep(IDLE_POLL_MS);
        continue;
      }
      for (const c of claimed) await this.deliver(c);
    }
  }

  /** One attempt of a claimed delivery, and its outcome recorded. */
  private async deliver({ delivery, url, secretEncrypted }: ClaimedDelivery): Promise<void> {
    const { timeoutMs, allowPrivateUrls } = this.config.webhooks;
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const refused = allowPrivateUrls ? null : await privateTargetProblem(url);
      if (refused) {
        error = `refused: ${refused}; nothing was sent`;
      } else {
        const body = eventBody(delivery);
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'leads-api-webhooks',
            'leads-event-id': delivery.eventId,
            'leads-event-type': delivery.eventType,
            'leads-signature': signatureHeader(decryptSecret(this.key, secretEncrypted), Math.floor(Date.now() / 1000), body),
          },
          body,
          // A redirect could lead to an address the URL check never saw: a 3xx is an undelivered answer.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        statusCode = res.status;
        await res.body?.cancel().catch(() => undefined);
      }
    } catch (e) {
      error = describeFailure(e, timeoutMs);
    }
    const at = new Date();
    const outcome = deliveryOutcome(statusCode, delivery.attempts, this.config.webhooks, at);
    if (outcome.status !== 'delivered') {
      this.logger.warn(
        `webhook ${delivery.webhookId} delivery ${delivery.id} attempt ${delivery.attempts}: ${error ?? `HTTP ${statusCode}`} (${outcome.status})`,
      );
    }
    try {
      await this.tx.run((em) =>
        this.repo.recordAttempt(em, delivery, { ...outcome, statusCode, error, durationMs: Date.now() - started, at }),
      );
    } catch (e) {
      // The lease ends and the delivery is attempted again: at least once.
      this.logger.warn(`recording webhook delivery ${delivery.id} failed: ${(e as Error).message}`);
    }
  }
}
