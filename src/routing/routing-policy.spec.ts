import {
  capOf,
  CandidateRotation,
  explicitAssignment,
  localDay,
  MemberStatus,
  memberViews,
  route,
  routeLead,
  RoutingInput,
  RoutingState,
  weightOf,
} from './routing-policy';

const NOW = new Date('2024-05-10T12:00:00.000Z');
const TODAY = '2024-05-10';
const here: MemberStatus = { active: true, away: false, awayUntil: null };

/** Every email of the array is an active member unless `members` says otherwise. */
function input(over: Partial<RoutingInput> = {}): RoutingInput {
  const emails = over.emails ?? ['a@x.io', 'b@x.io', 'c@x.io'];
  const members = Object.fromEntries(emails.map((email) => [email, here]));
  return {
    emails,
    position: 0,
    weights: {},
    dailyCaps: {},
    state: null,
    today: TODAY,
    now: NOW,
    ...over,
    members: { ...members, ...over.members },
  };
}

/** Routes `picks` leads through one rotation, carrying the pointer and state over as the caller would. */
function run(start: RoutingInput, picks: number): { emails: (string | null)[]; last: RoutingInput } {
  let current = start;
  const emails: (string | null)[] = [];
  for (let i = 0; i < picks; i++) {
    const decision = route(current);
    emails.push(decision.picked?.email ?? null);
    current = { ...current, position: decision.position, state: decision.state };
  }
  return { emails, last: current };
}

function tally(emails: (string | null)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const email of emails) counts[String(email)] = (counts[String(email)] ?? 0) + 1;
  return counts;
}

describe('weightOf and capOf', () => {
  it('weighs a missing email 1 and keeps a stored weight, 0 included', () => {
    expect(weightOf({}, 'a@x.io')).toBe(1);
    expect(weightOf({ 'a@x.io': 7 }, 'a@x.io')).toBe(7);
    expect(weightOf({ 'a@x.io': 0 }, 'a@x.io')).toBe(0);
  });

  it('gives a missing email no cap', () => {
    expect(capOf({}, 'a@x.io')).toBeNull();
    expect(capOf({ 'a@x.io': 5 }, 'a@x.io')).toBe(5);
  });

  it('ignores inherited properties', () => {
    expect(weightOf({}, 'constructor')).toBe(1);
    expect(capOf({}, 'toString')).toBeNull();
  });
});

describe('localDay', () => {
  it('gives the date in the zone', () => {
    const late = new Date('2024-03-05T23:30:00.000Z');
    expect(localDay(late, 'UTC')).toBe('2024-03-05');
    expect(localDay(late, 'Europe/Paris')).toBe('2024-03-06');
    expect(localDay(new Date('2024-03-06T03:00:00.000Z'), 'America/New_York')).toBe('2024-03-05');
    expect(localDay(new Date('2024-01-01T00:00:00.000Z'), 'Pacific/Kiritimati')).toBe('2024-01-01');
  });

  it('throws a RangeError for an unknown zone', () => {
    expect(() => localDay(NOW, 'Nowhere/Nothing')).toThrow(RangeError);
  });
});

describe('route: eligibility', () => {
  it('skips an email without a member status as inactive', () => {
    const decision = route(input({ emails: ['a@x.io', 'b@x.io'], members: { 'a@x.io': undefined as unknown as MemberStatus } }));
    expect(decision.picked).toEqual({ index: 1, email: 'b@x.io' });
    expect(decision.skipped).toEqual([{ email: 'a@x.io', reason: 'inactive' }]);
  });

  it('gives one reason per member, in the order inactive, paused, away, capped', () => {
    const emails = ['inactive@x.io', 'paused@x.io', 'away@x.io', 'capped@x.io', 'ok@x.io'];
    const awayForever: MemberStatus = { active: true, away: true, awayUntil: null };
    const decision = route(
      input({
        emails,
        // Each member also breaks every rule after its own, so only the first one checked may be reported.
        members: {
          'inactive@x.io': { active: false, away: true, awayUntil: null },
          'paused@x.io': awayForever,
          'away@x.io': awayForever,
        },
        weights: { 'inactive@x.io': 0, 'paused@x.io': 0 },
        dailyCaps: { 'inactive@x.io': 1, 'paused@x.io': 1, 'away@x.io': 1, 'capped@x.io': 1 },
        state: { cycle: null, day: TODAY, counts: { 'inactive@x.io': 1, 'paused@x.io': 1, 'away@x.io': 1, 'capped@x.io': 1 } },
      }),
    );
    expect(decision.picked).toEqual({ index: 4, email: 'ok@x.io' });
    expect(decision.skipped).toEqual([
      { email: 'inactive@x.io', reason: 'inactive' },
      { email: 'paused@x.io', reason: 'paused' },
      { email: 'away@x.io', reason: 'away' },
      { email: 'capped@x.io', reason: 'capped' },
    ]);
  });

  it('lists a repeated ineligible email once, at its first place', () => {
    const decision = route(
      input({ emails: ['b@x.io', 'a@x.io', 'b@x.io', 'c@x.io'], members: { 'b@x.io': { active: false, away: false, awayUntil: null } } }),
    );
    expect(decision.skipped).toEqual([{ email: 'b@x.io', reason: 'inactive' }]);
  });

  it('treats a member whose awayUntil has passed as available', () => {
    const members = { 'a@x.io': { active: true, away: true, awayUntil: new Date('2024-05-10T11:59:59.999Z') } };
    expect(route(input({ members })).picked).toEqual({ index: 0, email: 'a@x.io' });
  });

  it('skips a member away until later, or with no end', () => {
    const later = route(input({ members: { 'a@x.io': { active: true, away: true, awayUntil: new Date('2024-05-10T12:00:01.000Z') } } }));
    expect(later.picked).toEqual({ index: 1, email: 'b@x.io' });
    expect(later.skipped).toEqual([{ email: 'a@x.io', reason: 'away' }]);
    const noEnd = route(input({ members: { 'a@x.io': { active: true, away: true, awayUntil: null } } }));
    expect(noEnd.picked).toEqual({ index: 1, email: 'b@x.io' });
  });

  it('never picks a member of weight 0', () => {
    const { emails } = run(input({ weights: { 'b@x.io': 0 } }), 10);
    expect(emails).toEqual(['a@x.io', 'c@x.io', 'a@x.io', 'c@x.io', 'a@x.io', 'c@x.io', 'a@x.io', 'c@x.io', 'a@x.io', 'c@x.io']);
  });

  it('without an eligible entry picks nobody and keeps the pointer and state', () => {
    const state: RoutingState = { cycle: { weights: [1, 1], credits: [-1, 1] }, day: '2024-05-09', counts: { 'a@x.io': 3 } };
    const decision = route(
      input({
        emails: ['a@x.io', 'b@x.io'],
        position: 1,
        state,
        weights: { 'b@x.io': 0 },
        members: { 'a@x.io': { active: true, away: true, awayUntil: null } },
      }),
    );
    expect(decision).toEqual({
      picked: null,
      skipped: [
        { email: 'a@x.io', reason: 'away' },
        { email: 'b@x.io', reason: 'paused' },
      ],
      position: 1,
      state: { cycle: { weights: [1, 1], credits: [-1, 1] }, day: '2024-05-09', counts: { 'a@x.io': 3 } },
    });
  });

  it('picks nobody from an empty array', () => {
    expect(route(input({ emails: [], position: 0 }))).toEqual({
      picked: null,
      skipped: [],
      position: 0,
      state: { cycle: null, day: null, counts: {} },
    });
  });
});

describe('route: daily caps', () => {
  it('skips a member once their count for today reaches the cap', () => {
    const state: RoutingState = { cycle: null, day: TODAY, counts: { 'a@x.io': 2 } };
    expect(route(input({ dailyCaps: { 'a@x.io': 3 }, state })).picked).toEqual({ index: 0, email: 'a@x.io' });
    const capped = route(input({ dailyCaps: { 'a@x.io': 2 }, state }));
    expect(capped.picked).toEqual({ index: 1, email: 'b@x.io' });
    expect(capped.skipped).toEqual([{ email: 'a@x.io', reason: 'capped' }]);
  });

  it('counts the pick under today and keeps the other counts of today', () => {
    const decision = route(input({ state: { cycle: null, day: TODAY, counts: { 'a@x.io': 2, 'z@x.io': 4 } } }));
    expect(decision.state.day).toBe(TODAY);
    expect(decision.state.counts).toEqual({ 'a@x.io': 3, 'z@x.io': 4 });
  });

  it('starts the counts afresh on a new day', () => {
    const state: RoutingState = { cycle: null, day: '2024-05-09', counts: { 'a@x.io': 2, 'b@x.io': 9 } };
    const decision = route(input({ dailyCaps: { 'a@x.io': 2 }, state }));
    expect(decision.picked).toEqual({ index: 0, email: 'a@x.io' });
    expect(decision.skipped).toEqual([]);
    expect(decision.state.day).toBe(TODAY);
    expect(decision.state.counts).toEqual({ 'a@x.io': 1 });
  });

  it('gives a capped member no more leads that day and again the next day', () => {
    const day1 = run(input({ emails: ['a@x.io', 'b@x.io'], dailyCaps: { 'a@x.io': 2 } }), 6);
    expect(day1.emails).toEqual(['a@x.io', 'b@x.io', 'a@x.io', 'b@x.io', 'b@x.io', 'b@x.io']);
    expect(day1.last.state?.counts).toEqual({ 'a@x.io': 2, 'b@x.io': 4 });
    const day2 = run({ ...day1.last, today: '2024-05-11' }, 2);
    expect(day2.emails).toEqual(['a@x.io', 'b@x.io']);
    expect(day2.last.state?.counts).toEqual({ 'a@x.io': 1, 'b@x.io': 1 });
  });

  it('counts a repeated email once per lead, whatever slot picked it', () => {
    const { emails, last } = run(input({ emails: ['a@x.io', 'b@x.io', 'a@x.io'], dailyCaps: { 'a@x.io': 2 } }), 4);
    expect(emails).toEqual(['a@x.io', 'b@x.io', 'a@x.io', 'b@x.io']);
    expect(last.state?.counts).toEqual({ 'a@x.io': 2, 'b@x.io': 2 });
  });
});

describe('route: order and pointer', () => {
  it('moves the pointer just past the picked entry, wrapping at the end', () => {
    expect(route(input({ position: 1 }))).toMatchObject({ picked: { index: 1, email: 'b@x.io' }, position: 2 });
    expect(route(input({ position: 2 }))).toMatchObject({ picked: { index: 2, email: 'c@x.io' }, position: 0 });
  });

  it('reads a pointer past the end of the array modulo its length', () => {
    expect(route(input({ position: 4 }))).toMatchObject({ picked: { index: 1, email: 'b@x.io' }, position: 2 });
  });

  it('with equal weights follows the plain order from the pointer', () => {
    const { emails, last } = run(input({ emails: ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io'], position: 2 }), 6);
    expect(emails).toEqual(['c@x.io', 'd@x.io', 'a@x.io', 'b@x.io', 'c@x.io', 'd@x.io']);
    expect(last.position).toBe(0);
  });

  it('with equal weights takes the first eligible entry from the pointer when others are ineligible', () => {
    const members = { 'b@x.io': { active: false, away: false, awayUntil: null }, 'd@x.io': { active: true, away: true, awayUntil: null } };
    const start = input({ emails: ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io'], position: 1, members });
    const { emails } = run(start, 6);
    expect(emails).toEqual(['c@x.io', 'e@x.io', 'a@x.io', 'c@x.io', 'e@x.io', 'a@x.io']);
  });

  it('with equal weights keeps the plain order while members come and go', () => {
    const away: MemberStatus = { active: true, away: true, awayUntil: null };
    const emails = ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io'];
    let current = input({ emails, weights: { 'a@x.io': 5, 'b@x.io': 5, 'c@x.io': 5, 'd@x.io': 5 } });
    const picks: string[] = [];
    const pick = (members: Record<string, MemberStatus>) => {
      const decision = route({ ...current, members: { ...input({ emails }).members, ...members } });
      picks.push(decision.picked!.email);
      current = { ...current, position: decision.position, state: decision.state };
    };
    pick({});
    pick({ 'c@x.io': away });
    pick({ 'c@x.io': away });
    pick({});
    pick({ 'a@x.io': away });
    expect(picks).toEqual(['a@x.io', 'b@x.io', 'd@x.io', 'a@x.io', 'b@x.io']);
  });

  it('spreads weights 3:2:1 evenly within a cycle', () => {
    const weights = { 'a@x.io': 3, 'b@x.io': 2, 'c@x.io': 1 };
    const { emails, last } = run(input({ weights }), 6);
    expect(emails).toEqual(['a@x.io', 'b@x.io', 'c@x.io', 'a@x.io', 'b@x.io', 'a@x.io']);
    expect(last.state?.cycle).toEqual({ weights: [3, 2, 1], credits: [0, 0, 0] });
  });

  it('gives weights 3:2:1 exactly 300, 200 and 100 of 600 leads', () => {
    const { emails } = run(input({ weights: { 'a@x.io': 3, 'b@x.io': 2, 'c@x.io': 1 } }), 600);
    expect(tally(emails)).toEqual({ 'a@x.io': 300, 'b@x.io': 200, 'c@x.io': 100 });
  });

  it('weighs each slot of a repeated email on its own', () => {
    const { emails } = run(input({ emails: ['a@x.io', 'b@x.io', 'a@x.io'], weights: { 'a@x.io': 2 } }), 5);
    expect(tally(emails)).toEqual({ 'a@x.io': 4, 'b@x.io': 1 });
  });
});

describe('route: cycle state', () => {
  const weights = { 'a@x.io': 3, 'b@x.io': 1 };
  const two = input({ emails: ['a@x.io', 'b@x.io'], weights });

  it('starts a cycle at zero credits and records the effective weights', () => {
    expect(route(two).state).toEqual({ cycle: { weights: [3, 1], credits: [-1, 1] }, day: TODAY, counts: { 'a@x.io': 1 } });
  });

  it('goes on from stored credits while the effective weights are the same', () => {
    const state: RoutingState = { cycle: { weights: [3, 1], credits: [-1, 1] }, day: TODAY, counts: {} };
    const decision = route({ ...two, position: 1, state });
    expect(decision.picked).toEqual({ index: 1, email: 'b@x.io' });
    expect(decision.state.cycle).toEqual({ weights: [3, 1], credits: [2, -2] });
  });

  it('restarts the credits when a member becomes ineligible, records them as 0, and again when they return', () => {
    const state: RoutingState = { cycle: { weights: [3, 1], credits: [-2, 2] }, day: TODAY, counts: {} };
    const away = route({
      ...two,
      position: 1,
      state,
      members: { ...two.members, 'b@x.io': { active: true, away: true, awayUntil: null } },
    });
    expect(away.picked).toEqual({ index: 0, email: 'a@x.io' });
    expect(away.state.cycle).toEqual({ weights: [3, 0], credits: [0, 0] });
    const back = route({ ...two, position: away.position, state: away.state });
    expect(back.picked).toEqual({ index: 0, email: 'a@x.io' });
    expect(back.state.cycle).toEqual({ weights: [3, 1], credits: [-1, 1] });
  });

  it('gives a member coming back no catch-up burst', () => {
    const awayB = { ...two.members, 'b@x.io': { active: true, away: true, awayUntil: null } };
    const absent = run({ ...two, members: awayB }, 20);
    expect(tally(absent.emails)).toEqual({ 'a@x.io': 20 });
    const back = run({ ...absent.last, members: two.members }, 4);
    expect(back.emails).toEqual(['a@x.io', 'b@x.io', 'a@x.io', 'a@x.io']);
  });

  it('restarts the credits when a weight changes', () => {
    const state: RoutingState = { cycle: { weights: [3, 1], credits: [-2, 2] }, day: TODAY, counts: {} };
    const decision = route({ ...two, position: 1, state, weights: { 'a@x.io': 3, 'b@x.io': 2 } });
    expect(decision.picked).toEqual({ index: 0, email: 'a@x.io' });
    expect(decision.state.cycle).toEqual({ weights: [3, 2], credits: [-2, 2] });
  });

  it('restarts the credits when the array changes length', () => {
    const state: RoutingState = { cycle: { weights: [3, 1], credits: [-2, 2] }, day: TODAY, counts: {} };
    const decision = route(input({ emails: ['a@x.io', 'b@x.io', 'c@x.io'], weights, position: 1, state }));
    expect(decision.picked).toEqual({ index: 0, email: 'a@x.io' });
    expect(decision.state.cycle).toEqual({ weights: [3, 1, 1], credits: [-2, 1, 1] });
  });

  it('restarts the credits when a cap is reached', () => {
    const capped = route({ ...two, dailyCaps: { 'a@x.io': 1 } });
    expect(capped.state.cycle).toEqual({ weights: [3, 1], credits: [-1, 1] });
    const next = route({ ...two, dailyCaps: { 'a@x.io': 1 }, position: capped.position, state: capped.state });
    expect(next.picked).toEqual({ index: 1, email: 'b@x.io' });
    expect(next.skipped).toEqual([{ email: 'a@x.io', reason: 'capped' }]);
    expect(next.state.cycle).toEqual({ weights: [0, 1], credits: [0, 0] });
  });
});

describe('memberViews', () => {
  it('shows each email once in array order, with its settings, today’s count and eligibility', () => {
    const views = memberViews(
      input({
        emails: ['a@x.io', 'b@x.io', 'a@x.io', 'c@x.io', 'gone@x.io'],
        weights: { 'b@x.io': 0, 'c@x.io': 4 },
        dailyCaps: { 'a@x.io': 2, 'c@x.io': 5 },
        state: { cycle: null, day: TODAY, counts: { 'a@x.io': 2, 'c@x.io': 1 } },
        members: { 'gone@x.io': undefined as unknown as MemberStatus },
      }),
    );
    expect(views).toEqual([
      { email: 'a@x.io', weight: 1, dailyCap: 2, assignedToday: 2, eligible: false, ineligibleReason: 'capped' },
      { email: 'b@x.io', weight: 0, dailyCap: null, assignedToday: 0, eligible: false, ineligibleReason: 'paused' },
      { email: 'c@x.io', weight: 4, dailyCap: 5, assignedToday: 1, eligible: true, ineligibleReason: null },
      { email: 'gone@x.io', weight: 1, dailyCap: null, assignedToday: 0, eligible: false, ineligibleReason: 'inactive' },
    ]);
  });

  it('shows no count from another day', () => {
    const views = memberViews(input({ emails: ['a@x.io'], state: { cycle: null, day: '2024-05-09', counts: { 'a@x.io': 2 } } }));
    expect(views).toEqual([{ email: 'a@x.io', weight: 1, dailyCap: null, assignedToday: 0, eligible: true, ineligibleReason: null }]);
  });
});

describe('routeLead', () => {
  const inactive: MemberStatus = { active: false, away: false, awayUntil: null };
  const away: MemberStatus = { active: true, away: true, awayUntil: null };
  const team = (over: Partial<RoutingInput> = {}): CandidateRotation => ({ id: 5, name: 'Team', kind: 'team', input: input(over) });
  const fallback = (over: Partial<RoutingInput> = {}): CandidateRotation => ({
    id: 9,
    name: 'Default',
    kind: 'default',
    input: input(over),
  });

  it('without a rotation assigns nobody', () => {
    expect(routeLead([])).toEqual({
      assignedTo: null,
      assignment: { method: 'none', rotationId: null, rotationName: null, reason: 'no_rotation', skipped: [] },
      moved: null,
    });
  });

  it('assigns from the team rotation and moves only it', () => {
    const result = routeLead([team({ emails: ['a@x.io', 'b@x.io'], members: { 'a@x.io': away } }), fallback()]);
    expect(result).toEqual({
      assignedTo: 'b@x.io',
      assignment: {
        method: 'rotation',
        rotationId: 5,
        rotationName: 'Team',
        reason: 'team_rotation',
        skipped: [{ email: 'a@x.io', reason: 'away' }],
      },
      moved: { id: 5, position: 0, state: { cycle: { weights: [0, 1], credits: [0, 0] }, day: TODAY, counts: { 'b@x.io': 1 } } },
    });
  });

  it('falls back to the default rotation, reporting who was skipped in both once', () => {
    const result = routeLead([
      team({ emails: ['a@x.io', 'b@x.io'], members: { 'a@x.io': inactive, 'b@x.io': away } }),
      fallback({ emails: ['a@x.io', 'c@x.io', 'd@x.io'], members: { 'a@x.io': inactive, 'c@x.io': away }, position: 1 }),
    ]);
    expect(result).toEqual({
      assignedTo: 'd@x.io',
      assignment: {
        method: 'rotation',
        rotationId: 9,
        rotationName: 'Default',
        reason: 'default_rotation',
        skipped: [
          { email: 'a@x.io', reason: 'inactive' },
          { email: 'b@x.io', reason: 'away' },
          { email: 'c@x.io', reason: 'away' },
        ],
      },
      moved: { id: 9, position: 0, state: { cycle: { weights: [0, 0, 1], credits: [0, 0, 0] }, day: TODAY, counts: { 'd@x.io': 1 } } },
    });
  });

  it('keeps one email skipped for different reasons in two rotations twice', () => {
    const result = routeLead([
      team({ emails: ['a@x.io'], members: { 'a@x.io': away } }),
      fallback({ emails: ['a@x.io', 'b@x.io'], weights: { 'a@x.io': 0 } }),
    ]);
    expect(result.assignment.skipped).toEqual([
      { email: 'a@x.io', reason: 'away' },
      { email: 'a@x.io', reason: 'paused' },
    ]);
  });

  it('names the last rotation tried when nobody is eligible', () => {
    const result = routeLead([
      team({ emails: ['a@x.io'], members: { 'a@x.io': away } }),
      fallback({ emails: ['b@x.io'], members: { 'b@x.io': inactive } }),
    ]);
    expect(result).toEqual({
      assignedTo: null,
      assignment: {
        method: 'none',
        rotationId: 9,
        rotationName: 'Default',
        reason: 'no_eligible_member',
        skipped: [
          { email: 'a@x.io', reason: 'away' },
          { email: 'b@x.io', reason: 'inactive' },
        ],
      },
      moved: null,
    });
  });

  it('names the only rotation when it has nobody eligible', () => {
    const result = routeLead([fallback({ emails: ['a@x.io'], members: { 'a@x.io': inactive } })]);
    expect(result.assignment).toEqual({
      method: 'none',
      rotationId: 9,
      rotationName: 'Default',
      reason: 'no_eligible_member',
      skipped: [{ email: 'a@x.io', reason: 'inactive' }],
    });
  });
});

describe('explicitAssignment', () => {
  it('records the assignee as given', () => {
    expect(explicitAssignment()).toEqual({
      method: 'explicit',
      rotationId: null,
      rotationName: null,
      reason: 'assigned_to_given',
      skipped: [],
    });
  });
});
