import { isAway } from '../users/availability';

/**
 * The routing policy of lead rotations (contract §7), as plain functions of facts the caller reads:
 * which entry of a rotation takes the next lead, why the others were passed over, and which rotation
 * assigns a lead. Nothing here touches the database or the clock; the caller persists the returned
 * pointer and state together with the lead.
 *
 * Order is smooth weighted round robin (nginx's): on each pick every eligible entry's credit grows by
 * its weight, the entry with the highest credit is picked, and the picked entry gives back the total
 * weight of the eligible entries. Over any run of W picks (W = the sum of eligible weights) during
 * which nothing changes, each eligible entry is picked exactly its weight times, spread out rather
 * than in bursts. With equal weights the order is the plain one: the first eligible entry from the
 * pointer on.
 */

export type SkipReason = 'inactive' | 'paused' | 'away' | 'capped';

/** What the caller knows of one email's user in the rotation's account. */
export interface MemberStatus {
  active: boolean;
  away: boolean;
  awayUntil: Date | null;
}

/** A rotation's persisted routing state, owned by this module: the caller stores it as returned. */
export interface RoutingState {
  /** Effective weight per array entry (0 when ineligible) at the cycle's start, and each entry's credit. */
  cycle: { weights: number[]; credits: number[] } | null;
  /** The local day `counts` belong to (YYYY-MM-DD), or null. */
  day: string | null;
  counts: Record<string, number>;
}

/** The facts of one rotation at the moment a lead is routed through it. */
export interface RoutingInput {
  emails: readonly string[];
  position: number;
  weights: Readonly<Record<string, number>>;
  dailyCaps: Readonly<Record<string, number>>;
  /**
   * As persisted; null for a rotation never routed through (or reset by an edit). The caller resets it
   * on any edit of the array or the pointer: the credits only make sense for the array and pointer
   * this module left behind.
   */
  state: RoutingState | null;
  /** By email; an email without an entry is not an active member. */
  members: Readonly<Record<string, MemberStatus>>;
  /** The account's local date, YYYY-MM-DD. */
  today: string;
  now: Date;
}

export interface SkippedMember {
  email: string;
  reason: SkipReason;
}

/** The outcome of one pick. */
export interface RoutingDecision {
  picked: { index: number; email: string } | null;
  /** Every ineligible member of the rotation, once per email, in array order. */
  skipped: SkippedMember[];
  position: number;
  state: RoutingState;
}

/** One member of a rotation as GET /lead-rotations/{id} shows it. */
export interface MemberView {
  email: string;
  weight: number;
  dailyCap: number | null;
  assignedToday: number;
  eligible: boolean;
  ineligibleReason: SkipReason | null;
}

export type AssignmentReason = 'assigned_to_given' | 'team_rotation' | 'default_rotation' | 'no_rotation' | 'no_eligible_member';

/** How a lead got (or did not get) its assignee, as the lead's history records it. */
export interface Assignment {
  method: 'explicit' | 'rotation' | 'none';
  rotationId: number | null;
  rotationName: string | null;
  reason: AssignmentReason;
  skipped: SkippedMember[];
}

export interface CandidateRotation {
  id: number;
  name: string;
  kind: 'team' | 'default';
  input: RoutingInput;
}

export interface LeadRouting {
  assignedTo: string | null;
  assignment: Assignment;
  /** The rotation whose pointer and state move (the one that picked), or null. */
  moved: { id: number; position: number; state: RoutingState } | null;
}

/** Reads an own property only, so an email can never hit something inherited such as `constructor`. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An email's weight in a rotation; an email without one weighs 1. */
export function weightOf(weights: Readonly<Record<string, number>>, email: string): number {
  return own(weights, email) ?? 1;
}

/** An email's daily cap in a rotation, or null when it has none. */
export function capOf(dailyCaps: Readonly<Record<string, number>>, email: string): number | null {
  return own(dailyCaps, email) ?? null;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) at `now` in `timeZone`; throws a RangeError for an unknown zone. */
export function localDay(now: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  // Assembled from the parts rather than taken from format(): the parts do not depend on the locale data's separators.
  const parts = Object.fromEntries(format.formatToParts(now).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Today's assignment counts: the stored ones belong to another day once the account's date moves on. */
function countsOf(state: RoutingState | null, today: string): Readonly<Record<string, number>> {
  return state !== null && state.day === today ? state.counts : {};
}

/** Why `email` cannot take a lead now, or null when it can; the reasons are checked in the contract's order. */
function skipReason(input: RoutingInput, email: string, counts: Readonly<Record<string, number>>): SkipReason | null {
  const status = own(input.members, email);
  if (status === undefined || !status.active) return 'inactive';
  // Written as "not positive" so that a weight that is no number at all pauses rather than joins.
  if (!(weightOf(input.weights, email) > 0)) return 'paused';
  if (isAway(status, input.now)) return 'away';
  const cap = capOf(input.dailyCaps, email);
  if (cap !== null && (own(counts, email) ?? 0) >= cap) return 'capped';
  return null;
}

function uniqueEmails(emails: readonly string[]): string[] {
  return [...new Set(emails)];
}

/** One row per email of the rotation, in array order (a repeated email is one member). */
export function memberViews(input: RoutingInput): MemberView[] {
  const counts = countsOf(input.state, input.today);
  return uniqueEmails(input.emails).map((email) => {
    const reason = skipReason(input, email, counts);
    return {
      email,
      weight: weightOf(input.weights, email),
      dailyCap: capOf(input.dailyCaps, email),
      assignedToday: own(counts, email) ?? 0,
      eligible: reason === null,
      ineligibleReason: reason,
    };
  });
}

function copyState(state: RoutingState | null): RoutingState {
  if (state === null) return { cycle: null, day: null, counts: {} };
  const cycle = state.cycle === null ? null : { weights: [...state.cycle.weights], credits: [...state.cycle.credits] };
  return { cycle, day: state.day, counts: { ...state.counts } };
}

function sameVector(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/**
 * The credits the current cycle goes on from. Any change of the effective weights starts a new cycle
 * at zero, so that an entry coming back does not cash in credit for the time it was out.
 */
function creditsFor(state: RoutingState | null, weights: readonly number[]): number[] {
  const cycle = state?.cycle ?? null;
  if (cycle !== null && sameVector(cycle.weights, weights) && cycle.credits.length === weights.length) return [...cycle.credits];
  return weights.map(() => 0);
}

/** The eligible entry with the highest credit; a tie goes to the first one from `start` on, cyclically. */
function highestCredit(credits: readonly number[], weights: readonly number[], start: number): number {
  const n = credits.length;
  let best = -1;
  for (let k = 0; k < n; k++) {
    const i = (start + k) % n;
    if (weights[i] > 0 && (best === -1 || credits[i] > credits[best])) best = i;
  }
  return best;
}

/**
 * Picks the entry that takes the next lead and returns the rotation's new pointer and state. When
 * nobody is eligible there is no pick and the pointer and state stay as they are.
 */
export function route(input: RoutingInput): RoutingDecision {
  const { emails } = input;
  const counts = countsOf(input.state, input.today);
  const reasons = emails.map((email) => skipReason(input, email, counts));
  const weights = emails.map((email, i) => (reasons[i] === null ? weightOf(input.weights, email) : 0));
  const skipped: SkippedMember[] = [];
  const seen = new Set<string>();
  emails.forEach((email, i) => {
    const reason = reasons[i];
    if (reason !== null && !seen.has(email)) skipped.push({ email, reason });
    seen.add(email);
  });

  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total === 0) return { picked: null, skipped, position: input.position, state: copyState(input.state) };

  const n = emails.length;
  // A pointer left out of range by a shorter array (or never set right) still names a slot.
  const start = Number.isInteger(input.position) ? ((input.position % n) + n) % n : 0;
  const credits = creditsFor(input.state, weights);
  for (let i = 0; i < n; i++) credits[i] += weights[i];
  const index = highestCredit(credits, weights, start);
  credits[index] -= total;

  const email = emails[index];
  return {
    picked: { index, email },
    skipped,
    position: (index + 1) % n,
    state: { cycle: { weights, credits }, day: input.today, counts: { ...counts, [email]: (own(counts, email) ?? 0) + 1 } },
  };
}

/** The assignment of a lead whose assignee the request names. */
export function explicitAssignment(): Assignment {
  return { method: 'explicit', rotationId: null, rotationName: null, reason: 'assigned_to_given', skipped: [] };
}

/** Tries the candidates in order (the team's rotation, then the default): the first with an eligible member assigns. */
export function routeLead(candidates: readonly CandidateRotation[]): LeadRouting {
  if (candidates.length === 0) {
    return {
      assignedTo: null,
      assignment: { method: 'none', rotationId: null, rotationName: null, reason: 'no_rotation', skipped: [] },
      moved: null,
    };
  }

  const skipped: SkippedMember[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const decision = route(candidate.input);
    for (const member of decision.skipped) {
      const key = JSON.stringify([member.email, member.reason]);
      if (!seen.has(key)) skipped.push(member);
      seen.add(key);
    }
    if (decision.picked !== null) {
      return {
        assignedTo: decision.picked.email,
        assignment: {
          method: 'rotation',
          rotationId: candidate.id,
          rotationName: candidate.name,
          reason: candidate.kind === 'team' ? 'team_rotation' : 'default_rotation',
          skipped,
        },
        moved: { id: candidate.id, position: decision.position, state: decision.state },
      };
    }
  }

  const last = candidates[candidates.length - 1];
  return {
    assignedTo: null,
    assignment: { method: 'none', rotationId: last.id, rotationName: last.name, reason: 'no_eligible_member', skipped },
    moved: null,
  };
}
