import fc from 'fast-check';
import { CandidateRotation, MemberStatus, memberViews, route, routeLead, RoutingInput, RoutingState } from './routing-policy';

const NOW = new Date('2024-05-10T12:00:00.000Z');
const HOUR = 3_600_000;
const POOL = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((name) => `${name}@x.io`);

/** The day after `day` (YYYY-MM-DD). */
const dayAfter = (day: string): string => new Date(Date.parse(`${day}T00:00:00.000Z`) + 24 * HOUR).toISOString().slice(0, 10);

/** `values[i]` under `keys[i]`, leaving out the undefined ones (a missing key means the default). */
function recordOf<T>(keys: readonly string[], values: readonly (T | undefined)[]): Record<string, T> {
  const record: Record<string, T> = {};
  keys.forEach((key, i) => {
    const value = values[i];
    if (value !== undefined) record[key] = value;
  });
  return record;
}

/** A member status, mostly active, sometimes away until a moment before or after NOW; or no status at all. */
const statusArb: fc.Arbitrary<MemberStatus | undefined> = fc.option(
  fc.record({
    active: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
    away: fc.integer({ min: 0, max: 2 }).map((n) => n === 0),
    awayUntil: fc.option(
      fc.integer({ min: -3, max: 3 }).map((hours) => new Date(NOW.getTime() + hours * HOUR)),
      { nil: null },
    ),
  }),
  { nil: undefined, freq: 8 },
);

interface Rotation {
  pool: string[];
  emails: string[];
  position: number;
  weights: Record<string, number>;
  dailyCaps: Record<string, number>;
}

/** A rotation over 1–8 members: their emails once each in some order, or with repeats; weights from `weightArb`. */
function rotationArb(weightArb: fc.Arbitrary<number | undefined>, withCaps: boolean): fc.Arbitrary<Rotation> {
  return fc.integer({ min: 1, max: 8 }).chain((size) => {
    const pool = POOL.slice(0, size);
    const capArb = withCaps ? fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) : fc.constant(undefined);
    return fc.record({
      pool: fc.constant(pool),
      emails: fc.oneof(fc.shuffledSubarray(pool, { minLength: 1 }), fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 10 })),
      position: fc.nat(12),
      weights: fc.array(weightArb, { minLength: size, maxLength: size }).map((weights) => recordOf(pool, weights)),
      dailyCaps: fc.array(capArb, { minLength: size, maxLength: size }).map((caps) => recordOf(pool, caps)),
    });
  });
}

const membersArb = (pool: readonly string[]): fc.Arbitrary<Record<string, MemberStatus>> =>
  fc.array(statusArb, { minLength: pool.length, maxLength: pool.length }).map((statuses) => recordOf(pool, statuses));

/** The rules of eligibility written out once more, plainly, to check the module against. */
function eligibleRef(input: RoutingInput, counts: Readonly<Record<string, number>>, email: string): boolean {
  const status = input.members[email];
  const weight = input.weights[email] ?? 1;
  const cap = input.dailyCaps[email];
  const away = status !== undefined && status.away && (status.awayUntil === null || status.awayUntil > input.now);
  return status !== undefined && status.active && weight > 0 && !away && (cap === undefined || (counts[email] ?? 0) < cap);
}

/** The plain round robin: the first eligible entry from the pointer on, cyclically. */
function plainPick(emails: readonly string[], position: number, eligible: (email: string) => boolean): number | null {
  const n = emails.length;
  for (let k = 0; k < n; k++) {
    const i = ((((position % n) + n) % n) + k) % n;
    if (eligible(emails[i])) return i;
  }
  return null;
}

const sameWeights = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((weight, i) => weight === b[i]);

function baseInput(rotation: Rotation, members: Record<string, MemberStatus>): RoutingInput {
  const { emails, position, weights, dailyCaps } = rotation;
  return { emails, position, weights, dailyCaps, state: null, members, today: '2024-05-10', now: NOW };
}

/** One step of a scenario: maybe new member statuses, maybe the next local day. */
const stepArb = (pool: readonly string[]) =>
  fc.record({
    members: fc.option(membersArb(pool), { nil: undefined, freq: 3 }),
    nextDay: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  });

/**
 * Routes through `steps`, carrying pointer and state as the caller would and keeping its own count
 * of today's leads, and checks each pick with `check`.
 */
function replay(
  rotation: Rotation,
  members: Record<string, MemberStatus>,
  steps: { members?: Record<string, MemberStatus>; nextDay: boolean }[],
  check: (input: RoutingInput, counts: Record<string, number>, decision: ReturnType<typeof route>) => void,
): void {
  let input = baseInput(rotation, members);
  let counts: Record<string, number> = {};
  for (const step of steps) {
    if (step.members !== undefined) input = { ...input, members: step.members };
    if (step.nextDay) {
      input = { ...input, today: dayAfter(input.today) };
      counts = {};
    }
    const decision = route(input);
    check(input, counts, decision);
    if (decision.picked !== null) counts = { ...counts, [decision.picked.email]: (counts[decision.picked.email] ?? 0) + 1 };
    expect(decision.state.counts).toEqual(decision.picked === null ? { ...input.state?.counts } : counts);
    input = { ...input, position: decision.position, state: decision.state };
  }
}

const percentWeight = fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined, freq: 6 });

describe('route (properties)', () => {
  it('picks each entry exactly its weight times over every full cycle in which eligibility holds still', () => {
    const phasesArb = (pool: readonly string[]) =>
      fc.array(
        fc.record({
          members: membersArb(pool),
          fullCycles: fc.integer({ min: 0, max: 2 }),
          partialPercent: fc.integer({ min: 0, max: 99 }),
        }),
        {
          minLength: 1,
          maxLength: 4,
        },
      );
    const scenario = rotationArb(percentWeight, false).chain((rotation) => fc.tuple(fc.constant(rotation), phasesArb(rotation.pool)));
    fc.assert(
      fc.property(scenario, ([rotation, phases]) => {
        let input = baseInput(rotation, {});
        let cycleWeights: number[] = [];
        let tally: number[] = [];
        let cyclesChecked = 0;
        let cyclesOwed = 0;
        for (const phase of phases) {
          input = { ...input, members: phase.members };
          const weights = input.emails.map((email) => (eligibleRef(input, {}, email) ? (input.weights[email] ?? 1) : 0));
          const total = weights.reduce((sum, weight) => sum + weight, 0);
          const picks = total * phase.fullCycles + Math.floor((total * phase.partialPercent) / 100);
          if (total === 0) expect(route(input).picked).toBeNull();
          // A phase without a pick leaves the stored cycle as it is, so only a phase that picks can start a new one.
          if (picks > 0 && !sameWeights(weights, cycleWeights)) {
            cycleWeights = weights;
            tally = weights.map(() => 0);
          }
          if (total > 0) cyclesOwed += phase.fullCycles;
          for (let p = 0; p < picks; p++) {
            const decision = route(input);
            tally[decision.picked!.index] += 1;
            if (tally.reduce((sum, n) => sum + n, 0) === total) {
              expect(tally).toEqual(weights);
              expect(decision.state.cycle).toEqual({ weights, credits: weights.map(() => 0) });
              tally = weights.map(() => 0);
              cyclesChecked += 1;
            }
            input = { ...input, position: decision.position, state: decision.state };
          }
        }
        // W picks with unchanged weights always close a cycle, whatever was left open before them.
        expect(cyclesChecked).toBeGreaterThanOrEqual(cyclesOwed);
      }),
      { numRuns: 100 },
    );
  });

  it('never picks an ineligible member and reports every ineligible one', () => {
    const scenario = rotationArb(percentWeight, true).chain((rotation) =>
      fc.tuple(fc.constant(rotation), membersArb(rotation.pool), fc.array(stepArb(rotation.pool), { minLength: 1, maxLength: 40 })),
    );
    fc.assert(
      fc.property(scenario, ([rotation, members, steps]) => {
        replay(rotation, members, steps, (input, counts, decision) => {
          const ineligible = [...new Set(input.emails)].filter((email) => !eligibleRef(input, counts, email));
          expect(decision.skipped.map((member) => member.email)).toEqual(ineligible);
          if (decision.picked === null) {
            expect(ineligible).toEqual([...new Set(input.emails)]);
            expect(decision.position).toBe(input.position);
          } else {
            expect(input.emails[decision.picked.index]).toBe(decision.picked.email);
            expect(eligibleRef(input, counts, decision.picked.email)).toBe(true);
            expect(decision.position).toBe((decision.picked.index + 1) % input.emails.length);
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it('with equal weights follows the plain order, whoever comes and goes', () => {
    const scenario = fc
      .integer({ min: 1, max: 100 })
      .chain((weight) =>
        rotationArb(fc.constantFrom<number | undefined>(weight, weight, weight, 0, weight === 1 ? undefined : weight), true),
      )
      .chain((rotation) =>
        fc.tuple(fc.constant(rotation), membersArb(rotation.pool), fc.array(stepArb(rotation.pool), { minLength: 1, maxLength: 40 })),
      );
    fc.assert(
      fc.property(scenario, ([rotation, members, steps]) => {
        replay(rotation, members, steps, (input, counts, decision) => {
          const expected = plainPick(input.emails, input.position, (email) => eligibleRef(input, counts, email));
          if (expected === null) {
            expect(decision.picked).toBeNull();
            expect(decision.position).toBe(input.position);
          } else {
            expect(decision.picked).toEqual({ index: expected, email: input.emails[expected] });
            expect(decision.position).toBe((expected + 1) % input.emails.length);
          }
        });
      }),
      { numRuns: 150 },
    );
  });
});

/** An input as a caller would hold it: some picks already made, then the facts of the moment. */
const routedInputArb: fc.Arbitrary<RoutingInput> = rotationArb(percentWeight, true).chain((rotation) =>
  fc
    .tuple(membersArb(rotation.pool), fc.nat(30), membersArb(rotation.pool), fc.boolean(), fc.boolean())
    .map(([before, picks, members, nextDay, garbled]) => {
      let input = baseInput(rotation, before);
      for (let p = 0; p < picks; p++) {
        const decision = route(input);
        input = { ...input, position: decision.position, state: decision.state };
      }
      // A stored state that does not fit the array (left by an edit that did not reset it) must not break a pick.
      const state: RoutingState | null =
        garbled && input.state !== null ? { ...input.state, cycle: { weights: [7], credits: [-3, 4, 1] } } : input.state;
      return { ...input, members, state, today: nextDay ? dayAfter(input.today) : input.today };
    }),
);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

describe('route (purity)', () => {
  it('gives the same output for the same input', () => {
    fc.assert(
      fc.property(routedInputArb, (input) => {
        const first = route(input);
        expect(route(input)).toEqual(first);
        expect(route(structuredClone(input))).toEqual(first);
        expect(memberViews(structuredClone(input))).toEqual(memberViews(input));
      }),
      { numRuns: 200 },
    );
  });

  it('never changes its input and returns nothing that shares structure with it', () => {
    fc.assert(
      fc.property(routedInputArb, routedInputArb, (team, fallback) => {
        const before = structuredClone({ team, fallback });
        deepFreeze(team);
        deepFreeze(fallback);
        const decision = route(team);
        memberViews(team);
        const candidates: CandidateRotation[] = [
          { id: 1, name: 'Team', kind: 'team', input: team },
          { id: 2, name: 'Default', kind: 'default', input: fallback },
        ];
        const lead = routeLead(deepFreeze(candidates));
        expect({ team, fallback }).toEqual(before);
        // Writing into the outputs throws if any part of them is a frozen part of the input.
        for (const state of [decision.state, lead.moved?.state]) {
          if (state === undefined) continue;
          state.counts['zz@x.io'] = 1;
          state.cycle?.weights.push(0);
          state.cycle?.credits.push(0);
        }
        lead.assignment.skipped.push({ email: 'zz@x.io', reason: 'away' });
        decision.skipped.push({ email: 'zz@x.io', reason: 'away' });
      }),
      { numRuns: 200 },
    );
  });
});
