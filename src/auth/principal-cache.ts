import type { Principal } from './principal';

/** A principal as the database answered it, without what belongs to one token (the token, its expiry). */
export type CachedPrincipal = Readonly<Omit<Principal, 'token' | 'expiresAt'>>;

/**
 * What changed, named as coarsely as the writer knows it: everything of a user (their memberships,
 * their keys), one key, or everything loaded in one account. `all` empties the cache.
 */
export type PrincipalChange = { userId: number } | { apiKeyId: number } | { accountId: number } | 'all';

export interface PrincipalCacheOptions {
  maxEntries: number;
  ttlMs: number;
}

interface Entry {
  principal: CachedPrincipal;
  storedAt: number;
  /** The accounts the entry depends on: the one asked for, the membership's, the key's. */
  accounts: readonly number[];
}

/**
 * Verified principals in memory, keyed by what the token's verified claims name (the kind, the user,
 * the key, the account asked for), never by the token. Bounded in size (the oldest goes first) and
 * age. Evictions come from the writers of users, memberships, keys and accounts, here or through
 * PostgreSQL NOTIFY from another instance.
 *
 * A load that started before an eviction must not store what it read: every eviction moves the
 * generation on, and `put` stores only when the generation is still the one `generation` answered
 * when the load began. While evictions cannot be received (`suspend`), nothing is read or stored.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private gen = 0;
  private suspendedBecause: string | null = null;

  constructor(private readonly options: PrincipalCacheOptions) {}

  /** Whether principals are served from memory at all (off by settings, or while evictions are not received). */
  get active(): boolean {
    return this.suspendedBecause === null && this.options.maxEntries > 0 && this.options.ttlMs > 0;
  }

  /** Why the cache is bypassed, or null when it is not suspended. */
  get suspendedReason(): string | null {
    return this.suspendedBecause;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The generation to hand to `put` for a load starting now. */
  get generation(): number {
    return this.gen;
  }

  get(key: string, now = Date.now()): CachedPrincipal | null {
    if (!this.active) return null;
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    if (now - entry.storedAt >= this.options.ttlMs) {
      this.entries.delete(key);
      return null;
    }
    return entry.principal;
  }

  /**
   * Stores what a load read, unless an eviction happened since the load began (`generation` is the
   * value read then) or the cache is bypassed. Answers whether it was stored.
   */
  put(key: string, principal: CachedPrincipal, generation: number, requestedAccountId: number | null, now = Date.now()): boolean {
    if (!this.active || generation !== this.gen) return false;
    const accounts = [requestedAccountId, principal.membership?.accountId ?? null, principal.apiKeyAccountId].filter(
      (a): a is number => a !== null,
    );
    this.entries.delete(key);
    // A Map iterates in insertion order: past the bound, the oldest entry goes.
    while (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { principal, storedAt: now, accounts });
    return true;
  }

  /** Drops every entry the change can affect, and moves the generation on. */
  evict(change: PrincipalChange): void {
    this.gen++;
    if (change === 'all') {
      this.entries.clear();
      return;
    }
    for (const [key, { principal, accounts }] of this.entries) {
      if (
        ('userId' in change && principal.userId === change.userId) ||
        ('apiKeyId' in change && principal.apiKeyId === change.apiKeyId) ||
        ('accountId' in change && accounts.includes(change.accountId))
      ) {
        this.entries.delete(key);
      }
    }
  }

  /** Stops serving and storing (evictions may be missed from now on) until `resume`. */
  suspend(reason: string): void {
    this.suspendedBecause = reason;
    this.evict('all');
  }

  /** Evictions are received again: starts empty, since any change may have been missed meanwhile. */
  resume(): void {
    this.evict('all');
    this.suspendedBecause = null;
  }
}

/** The cache key of a verified token's claims and the account asked for (a key session ignores the header's account). */
export function principalCacheKey(typ: 'user' | 'key', userId: number, keyId: number | null, accountId: number | null): string {
  return typ === 'key' ? `k:${userId}:${keyId}` : `u:${userId}:${accountId ?? ''}`;
}

/** The NOTIFY payload of a change (short, no secrets). */
export function encodePrincipalChange(change: PrincipalChange): string {
  if (change === 'all') return 'all';
  if ('userId' in change) return `u:${change.userId}`;
  if ('apiKeyId' in change) return `k:${change.apiKeyId}`;
  return `a:${change.accountId}`;
}

/** The change a payload names; anything not understood empties the cache (`all`). */
export function decodePrincipalChange(payload: string): PrincipalChange {
  const m = /^([uka]):(\d{1,15})$/.exec(payload);
  if (!m) return 'all';
  const id = Number(m[2]);
  return m[1] === 'u' ? { userId: id } : m[1] === 'k' ? { apiKeyId: id } : { accountId: id };
}
