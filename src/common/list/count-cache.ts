/** Counts at least this large are reused for a few seconds (see CountCache). */
export const CACHED_COUNT_MIN = 10_000;

export interface CountCacheOptions {
  /** Counts of fewer rows are always exact. */
  min: number;
  /** A count this young is answered as is. */
  ttlMs: number;
  /**
   * An older count (but younger than this) is answered at once while ONE refresh runs behind it; older
   * than this, or with no count yet, the request waits for the count.
   */
  staleMaxMs: number;
  /** Queries remembered (the oldest is forgotten first). */
  size: number;
  now: () => number;
}

interface Entry {
  /** When the count now held (or being taken, while `known` is undefined) was started. */
  at: number;
  value: Promise<number>;
  /** The settled count, once there is one. */
  known?: number;
  refreshing?: boolean;
}

/**
 * `totalCount` of a very large list costs a scan of every matching index entry; a client paging
 * through a million leads would pay it on every page. Counts of at least `min` rows are therefore
 * reused for `ttlMs` per identical query (and concurrent identical counts share one query). When such
 * a count has aged past `ttlMs`, the next request starts ONE refresh and every request goes on answering
 * the count it has until the refresh lands: no page waits for a count it already knows (at a million
 * leads the count takes far longer than the page). Smaller counts, and so every test-sized list, are
 * always exact.
 */
export class CountCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: CountCacheOptions) {}

  get(key: string, compute: () => Promise<number>): Promise<number> {
    const now = this.opts.now();
    const hit = this.entries.get(key);
    if (hit) {
      const age = now - hit.at;
      if (age < this.opts.ttlMs) return hit.value;
      if (hit.known !== undefined && age < this.opts.staleMaxMs) {
        if (!hit.refreshing) this.refresh(key, hit, now, compute);
        return hit.value;
      }
    }
    return this.take(key, now, compute);
  }

  /** A count every caller waits for (none is known, or the one known is too old). */
  private take(key: string, now: number, compute: () => Promise<number>): Promise<number> {
    const entry: Entry = { at: now, value: compute() };
    this.remember(key, entry);
    entry.value.then(
      (n) => {
        if (this.entries.get(key) !== entry) return;
        if (n < this.opts.min) this.entries.delete(key);
        else entry.known = n;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }

  /** Replaces a stale count behind the requests that go on answering it. */
  private refresh(key: string, stale: Entry, now: number, compute: () => Promise<number>): void {
    stale.refreshing = true;
    compute().then(
      (n) => {
        if (this.entries.get(key) !== stale) return;
        if (n < this.opts.min) this.entries.delete(key);
        else this.remember(key, { at: now, value: Promise.resolve(n), known: n });
      },
      // A failed refresh forgets the count: the next request takes it again and sees the error.
      () => {
        if (this.entries.get(key) === stale) this.entries.delete(key);
      },
    );
  }

  private remember(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.opts.size) this.entries.delete(this.entries.keys().next().value as string);
  }
}
