import { Logger } from '@nestjs/common';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const FIRST_PURGE_DELAY_MS = 60 * 1000;
/** A pause between batches, so a purge never competes with requests for long. */
const BATCH_PAUSE_MS = 50;

/** What one batch of a purge did: rows deleted, and whether another batch may find more. */
export interface PurgeBatch {
  deleted: number;
  more: boolean;
}

/**
 * A background purge of old rows: hourly on every instance (the first a minute after start; `every`
 * sets another period), in small batches with a pause between them, so each statement locks only the
 * rows it deletes. Instances that purge at the same time only find fewer rows to delete.
 */
export class PeriodicPurge {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    /** What is purged, for the log ("old audit entries"). */
    private readonly what: string,
    private readonly every: { intervalMs: number; firstDelayMs: number } = {
      intervalMs: PURGE_INTERVAL_MS,
      firstDelayMs: FIRST_PURGE_DELAY_MS,
    },
  ) {}

  /** Runs `run` every period until stop(); a failed run is logged and retried at the next. */
  start(run: () => Promise<unknown>): void {
    const go = () => void run().catch((e: Error) => this.logger.warn(`purge of ${this.what} failed: ${e.message}`));
    this.timer = setTimeout(() => {
      go();
      this.timer = setInterval(go, this.every.intervalMs);
      this.timer.unref();
    }, this.every.firstDelayMs);
    this.timer.unref();
  }

  /** No further runs, and a run in progress stops after its current batch. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Runs `batch` until it says there is no more (or stop() is called); returns the rows deleted. */
  async drain(batch: () => Promise<PurgeBatch>): Promise<number> {
    let total = 0;
    for (;;) {
      const { deleted, more } = await batch();
      total += deleted;
      if (!more || this.stopped) return total;
      await new Promise((resolve) => setTimeout(resolve, BATCH_PAUSE_MS));
    }
  }
}
