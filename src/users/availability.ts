import type { Actor } from '../auth/principal';

/** What a member may change of their own membership without `writeUsers`: their availability. */
export const SELF_SERVICE_FIELDS = ['away', 'awayUntil'] as const;

/** The fields of a PATCH /users/{id} body that only a caller with `writeUsers` may send. */
export const MANAGED_FIELDS = ['name', 'role', 'active'] as const;

type UserChanges = Partial<Record<(typeof SELF_SERVICE_FIELDS)[number] | (typeof MANAGED_FIELDS)[number], unknown>>;

/**
 * Whether a PATCH /users/{id} is a member setting their own availability, which needs no `writeUsers`:
 * a user session (an API key's "self" would be its creator, and a key acts for an integration, not
 * for the person: it needs `writeUsers` like any other change), on the caller's own id, sending at
 * least one availability field and nothing else.
 */
export function isOwnAvailabilityChange(actor: Actor, userId: number, changes: UserChanges): boolean {
  return (
    actor.apiKeyId === null &&
    actor.userId === userId &&
    SELF_SERVICE_FIELDS.some((f) => changes[f] !== undefined) &&
    MANAGED_FIELDS.every((f) => changes[f] === undefined)
  );
}

/**
 * Whether a member counts as away at `now`: marked away, and either with no end set or with an end
 * still to come. Past `awayUntil` the member is available again without anyone switching `away` off.
 */
export function isAway(m: { away: boolean; awayUntil: Date | null }, now: Date): boolean {
  return m.away && (m.awayUntil === null || m.awayUntil.getTime() > now.getTime());
}
