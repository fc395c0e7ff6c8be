import type { DeliveryStatus } from './entities/webhook-delivery.entity';

/** Longest wait between two attempts, however many came before. */
const MAX_RETRY_DELAY_MS = 24 * 3600 * 1000;

/** The wait after the `attempt`-th failed attempt (1-based): base, 2·base, 4·base, … */
export function retryDelayMs(baseMs: number, attempt: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_RETRY_DELAY_MS);
}

/** From a delivery's first attempt to its last, when every attempt fails: the whole retry schedule. */
export function retryScheduleMs(policy: { retryBaseMs: number; maxAttempts: number }): number {
  let total = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) total += retryDelayMs(policy.retryBaseMs, attempt);
  return total;
}

/**
 * What a delivery becomes after its `attempt`-th attempt: delivered on a 2xx; else retried after the
 * backoff, until `maxAttempts` have been made, then failed.
 */
export function deliveryOutcome(
  statusCode: number | null,
  attempt: number,
  policy: { retryBaseMs: number; maxAttempts: number },
  now: Date,
): { status: DeliveryStatus; nextAttemptAt: Date | null } {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return { status: 'delivered', nextAttemptAt: null };
  if (attempt >= policy.maxAttempts) return { status: 'failed', nextAttemptAt: null };
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + retryDelayMs(policy.retryBaseMs, attempt)) };
}

/** The raw body of a delivery (§9): what is signed and sent. */
export function eventBody(event: { eventId: string; eventType: string; createdAt: Date; accountId: number; data: unknown }): string {
  return JSON.stringify({
    id: event.eventId,
    type: event.eventType,
    created: event.createdAt.toISOString(),
    accountId: String(event.accountId),
    data: event.data,
  });
}

/** Longest pause of a failing webhook: how late, at most, its deliveries resume once it is back. */
const MAX_PAUSE_MS = 5 * 60 * 1000;

/** How a batch of one webhook's attempts changes its run of consecutive failures (failureRunChange). */
export interface FailureRunChange {
  reset: boolean;
  failures: number;
  firstFailureAt: Date | null;
}

/** A webhook's run of consecutive failures and its pause, as stored. */
export interface FailureRun {
  consecutiveFailures: number;
  failingSince: Date | null;
  pausedUntil: Date | null;
}

/**
 * How a batch of one webhook's attempts, in the order they ended, changes its run of consecutive
 * failures: `reset` when one succeeded (the run starts again after it); `failures` after the last
 * success, the first of them ending at `firstFailureAt`.
 */
export function failureRunChange(attempts: { delivered: boolean; at: Date }[]): FailureRunChange {
  const last = attempts.findLastIndex((a) => a.delivered);
  return { reset: last >= 0, failures: attempts.length - 1 - last, firstFailureAt: attempts[last + 1]?.at ?? null };
}

/**
 * A webhook's run after a batch's change: a success starts the run again at the failures after it and
 * ends the pause; otherwise the failures add to the run, which keeps failing since its first. Null
 * when nothing changes: no failures, none stored and no pause.
 */
export function nextFailureRun(stored: FailureRun, change: FailureRunChange): FailureRun | null {
  if (change.failures === 0 && stored.consecutiveFailures === 0 && stored.pausedUntil === null) return null;
  if (change.reset) return { consecutiveFailures: change.failures, failingSince: change.firstFailureAt, pausedUntil: null };
  return {
    consecutiveFailures: stored.consecutiveFailures + change.failures,
    failingSince: stored.failingSince ?? change.firstFailureAt,
    pausedUntil: stored.pausedUntil,
  };
}

/**
 * How long a webhook whose last `failures` attempts all failed, the first `failingForMs` ago, waits
 * before its deliveries are attempted again (pings still go): none below `pauseAfterFailures` (0:
 * never), then as long as it has been failing, at least the retry base and at most five minutes. Each
 * pause so doubles the last, and a receiver that is back gets its deliveries within about as long as it
 * was away. A receiver that is down or hangs so costs the workers one attempt per instance per pause
 * (a failing webhook gets one delivery at a time: WebhooksRepository.claimDue) instead of one per event.
 */
export function pauseMs(failures: number, failingForMs: number, policy: { pauseAfterFailures: number; retryBaseMs: number }): number {
  if (policy.pauseAfterFailures === 0 || failures < policy.pauseAfterFailures) return 0;
  return Math.min(Math.max(failingForMs, policy.retryBaseMs), MAX_PAUSE_MS);
}

/** See busyServing. */
const BUSY_UTILIZATION = 0.5;
const BUSY_REQUESTS_PER_SECOND = 100;

/**
 * Whether an instance is busy serving requests: its event loop ran code at least half the time while
 * requests came at least 100 a second (a backlog drained with no requests is not busy). Requests come
 * first then: the instance delivers at a trickle, and the rest waits in the outbox until the load
 * falls, when the instance catches up at full speed.
 */
export function busyServing({ utilization, requestsPerSecond }: { utilization: number; requestsPerSecond: number }): boolean {
  return utilization >= BUSY_UTILIZATION && requestsPerSecond >= BUSY_REQUESTS_PER_SECOND;
}
