import { EventLoopUtilization, performance } from 'node:perf_hooks';

let requestsStarted = 0;

/** Counts a request this process began to serve (an HTTP hook calls it, see configure-app.ts). */
export function countRequest(): void {
  requestsStarted++;
}

/**
 * How hard this process is serving requests, read over windows of at least `windowMs`: the share of
 * time its event loop ran code (not waiting for I/O) and the requests it began per second.
 */
export class ServingLoad {
  private mark: EventLoopUtilization = performance.eventLoopUtilization();
  private markedAt = Date.now();
  private requestsAtMark = requestsStarted;
  private last = { utilization: 0, requestsPerSecond: 0 };

  constructor(private readonly windowMs = 200) {}

  current(): { utilization: number; requestsPerSecond: number } {
    const now = Date.now();
    if (now - this.markedAt >= this.windowMs) {
      const mark = performance.eventLoopUtilization();
      this.last = {
        utilization: performance.eventLoopUtilization(mark, this.mark).utilization,
        requestsPerSecond: ((requestsStarted - this.requestsAtMark) * 1000) / (now - this.markedAt),
      };
      this.mark = mark;
      this.markedAt = now;
      this.requestsAtMark = requestsStarted;
    }
    return this.last;
  }
}
