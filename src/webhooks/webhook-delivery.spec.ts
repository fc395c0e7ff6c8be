import {
  busyServing,
  deliveryOutcome,
  eventBody,
  failureRunChange,
  nextFailureRun,
  pauseMs,
  retryDelayMs,
  retryScheduleMs,
} from './webhook-delivery';

describe('webhook delivery policy', () => {
  const policy = { retryBaseMs: 10_000, maxAttempts: 4 };
  const now = new Date('2026-01-01T00:00:00.000Z');

  it('doubles the wait after each failed attempt, up to a day', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(10_000, a))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(10_000, 40)).toBe(24 * 3600 * 1000);
  });

  it('is delivered on any 2xx, retried on anything else, failed after the last attempt', () => {
    expect(deliveryOutcome(200, 1, policy, now)).toEqual({ status: 'delivered', nextAttemptAt: null });
    expect(deliveryOutcome(204, 4, policy, now)).toEqual({ status: 'delivered', nextAttemptAt: null });
    expect(deliveryOutcome(500, 1, policy, now)).toEqual({ status: 'pending', nextAttemptAt: new Date('2026-01-01T00:00:10.000Z') });
    expect(deliveryOutcome(null, 3, policy, now)).toEqual({ status: 'pending', nextAttemptAt: new Date('2026-01-01T00:00:40.000Z') });
    expect(deliveryOutcome(301, 2, policy, now).status).toBe('pending');
    expect(deliveryOutcome(500, 4, policy, now)).toEqual({ status: 'failed', nextAttemptAt: null });
  });

  it('builds the contract body', () => {
    const body = eventBody({ eventId: 'evt_1', eventType: 'lead.created', createdAt: now, accountId: 7, data: { lead: { id: 3 } } });
    expect(JSON.parse(body)).toEqual({
      id: 'evt_1',
      type: 'lead.created',
      created: '2026-01-01T00:00:00.000Z',
      accountId: '7',
      data: { lead: { id: 3 } },
    });
  });

  it('spans the whole retry schedule from the first attempt to the last', () => {
    expect(retryScheduleMs({ retryBaseMs: 10_000, maxAttempts: 4 })).toBe(10_000 + 20_000 + 40_000);
    expect(retryScheduleMs({ retryBaseMs: 10_000, maxAttempts: 1 })).toBe(0);
  });

  it('counts the failures after the last success of a batch, from when the first of them ended, and whether one succeeded', () => {
    const at = (s: number) => new Date(now.getTime() + s * 1000);
    const run = (...delivered: boolean[]) => failureRunChange(delivered.map((d, i) => ({ delivered: d, at: at(i) })));
    expect(run(false, false)).toEqual({ reset: false, failures: 2, firstFailureAt: at(0) });
    expect(run(false, true, false)).toEqual({ reset: true, failures: 1, firstFailureAt: at(2) });
    expect(run(false, false, true)).toEqual({ reset: true, failures: 0, firstFailureAt: null });
  });

  it("moves a webhook's stored run by a batch's change: a success starts it again and ends the pause, failures add up", () => {
    const at = (s: number) => new Date(now.getTime() + s * 1000);
    const clean = { consecutiveFailures: 0, failingSince: null, pausedUntil: null };
    const failing = { consecutiveFailures: 3, failingSince: at(-60), pausedUntil: at(30) };
    // Only successes on a clean webhook: nothing to write.
    expect(nextFailureRun(clean, { reset: true, failures: 0, firstFailureAt: null })).toBeNull();
    expect(nextFailureRun(clean, { reset: false, failures: 2, firstFailureAt: at(1) })).toEqual({
      consecutiveFailures: 2,
      failingSince: at(1),
      pausedUntil: null,
    });
    // Failures add to the run, which keeps failing since its first; the pause stays.
    expect(nextFailureRun(failing, { reset: false, failures: 2, firstFailureAt: at(1) })).toEqual({
      consecutiveFailures: 5,
      failingSince: at(-60),
      pausedUntil: at(30),
    });
    // A success: the run restarts at the failures after it, and the pause ends.
    expect(nextFailureRun(failing, { reset: true, failures: 1, firstFailureAt: at(2) })).toEqual({
      consecutiveFailures: 1,
      failingSince: at(2),
      pausedUntil: null,
    });
    expect(nextFailureRun(failing, { reset: true, failures: 0, firstFailureAt: null })).toEqual(clean);
    // A pause alone (a paused webhook with its run already reset) is still ended by a success.
    expect(nextFailureRun({ ...clean, pausedUntil: at(30) }, { reset: true, failures: 0, firstFailureAt: null })).toEqual(clean);
  });

  it('pauses a webhook from WEBHOOK_PAUSE_AFTER_FAILURES failures in a row, as long as it has been failing, between the retry base and five minutes', () => {
    const pause = { pauseAfterFailures: 5, retryBaseMs: 10_000 };
    expect(pauseMs(4, 60_000, pause)).toBe(0);
    expect(pauseMs(5, 2_000, pause)).toBe(10_000);
    expect(pauseMs(9, 45_000, pause)).toBe(45_000);
    expect(pauseMs(1000, 3600_000, pause)).toBe(5 * 60 * 1000);
    expect(pauseMs(1000, 60_000, { ...pause, pauseAfterFailures: 0 })).toBe(0);
  });

  it('is busy serving requests only when the event loop is at least half busy with requests coming', () => {
    expect(busyServing({ utilization: 0.5, requestsPerSecond: 100 })).toBe(true);
    expect(busyServing({ utilization: 0.95, requestsPerSecond: 2500 })).toBe(true);
    // Draining a backlog with no requests, or a light load: deliveries at full speed.
    expect(busyServing({ utilization: 0.9, requestsPerSecond: 0 })).toBe(false);
    expect(busyServing({ utilization: 0.49, requestsPerSecond: 2500 })).toBe(false);
    expect(busyServing({ utilization: 0.9, requestsPerSecond: 99 })).toBe(false);
  });
});
