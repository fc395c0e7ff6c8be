import {
  assertLeadRules,
  assigneeEligible,
  creatorInAccount,
  creatorOf,
  LeadFacts,
  LeadQuestion,
  leadQuestion,
  SOURCE_REQUIRED,
  sourceInAccount,
  sourceOfLeadTeam,
  sourceRequired,
  TEAM_REQUIRED,
  teamInAccount,
  teamRequired,
} from './lead-rules';

/** Facts that break no rule. */
const FINE: LeadFacts = {
  hasActiveTeams: false,
  teamExists: true,
  teamHasSources: false,
  sourceExists: true,
  sourceTeamId: null,
  assigneeActive: true,
  createdByMember: true,
};
const Q: LeadQuestion = { activeTeams: false, teamId: null, teamSources: false, leadSourceId: null, assignee: null, createdBy: null };
const q = (v: Partial<LeadQuestion>): LeadQuestion => ({ ...Q, ...v });
const f = (v: Partial<LeadFacts>): LeadFacts => ({ ...FINE, ...v });
const body = (e: { getResponse(): unknown; getStatus(): number } | null) => (e ? { status: e.getStatus(), body: e.getResponse() } : null);

describe('lead rules', () => {
  describe('leadQuestion', () => {
    const me = 'me@x.io';

    it('asks nothing when the requirement is skipped and no id or email is given', () => {
      expect(
        leadQuestion({ teamAndSource: { teamId: null, leadSourceId: null, skip: true }, assignee: null, createdBy: null }, me),
      ).toBeNull();
      expect(leadQuestion({ teamAndSource: null, assignee: null, createdBy: me }, me)).toBeNull();
    });

    it('asks about active teams when no team is given, and about the team’s sources when no source is', () => {
      expect(
        leadQuestion({ teamAndSource: { teamId: null, leadSourceId: null, skip: false }, assignee: null, createdBy: null }, me),
      ).toEqual(q({ activeTeams: true }));
      expect(leadQuestion({ teamAndSource: { teamId: 3, leadSourceId: null, skip: false }, assignee: null, createdBy: null }, me)).toEqual(
        q({ teamId: 3, teamSources: true }),
      );
      expect(leadQuestion({ teamAndSource: { teamId: 3, leadSourceId: 4, skip: false }, assignee: null, createdBy: null }, me)).toEqual(
        q({ teamId: 3, leadSourceId: 4 }),
      );
    });

    it('still checks given ids when the requirement is skipped', () => {
      expect(leadQuestion({ teamAndSource: { teamId: 3, leadSourceId: null, skip: true }, assignee: null, createdBy: null }, me)).toEqual(
        q({ teamId: 3 }),
      );
    });

    it('asks about a requested assignee and a creator other than the caller', () => {
      expect(leadQuestion({ teamAndSource: null, assignee: 'a@x.io', createdBy: 'c@x.io' }, me)).toEqual(
        q({ assignee: 'a@x.io', createdBy: 'c@x.io' }),
      );
    });
  });

  it('creatorOf: createdBy defaults to the caller', () => {
    expect(creatorOf(null, 'me@x.io')).toBe('me@x.io');
    expect(creatorOf('old@x.io', 'me@x.io')).toBe('old@x.io');
  });

  it('teamRequired: a team is required once the account has active teams, only when asked', () => {
    expect(body(teamRequired(q({ activeTeams: true }), f({ hasActiveTeams: true })))).toEqual({
      status: 400,
      body: { error: TEAM_REQUIRED },
    });
    expect(teamRequired(q({ activeTeams: true }), f({ hasActiveTeams: false }))).toBeNull();
    expect(teamRequired(q({ activeTeams: false }), f({ hasActiveTeams: true }))).toBeNull();
  });

  it('sourceRequired: a source is required once the team has active sources, only when asked', () => {
    expect(body(sourceRequired(q({ teamId: 3, teamSources: true }), f({ teamHasSources: true })))).toEqual({
      status: 400,
      body: { error: SOURCE_REQUIRED },
    });
    expect(sourceRequired(q({ teamId: 3, teamSources: true }), f({ teamHasSources: false }))).toBeNull();
    expect(sourceRequired(q({ teamId: 3, teamSources: false }), f({ teamHasSources: true }))).toBeNull();
  });

  it('teamInAccount: a given team must be the account’s', () => {
    expect(body(teamInAccount(q({ teamId: 3 }), f({ teamExists: false })))).toEqual({
      status: 400,
      body: {
        error: 'teamId does not refer to a team of this account',
        details: [{ field: 'teamId', message: 'does not refer to a team of this account' }],
      },
    });
    expect(teamInAccount(q({ teamId: 3 }), FINE)).toBeNull();
    expect(teamInAccount(q({ teamId: null }), f({ teamExists: false }))).toBeNull();
  });

  it('sourceInAccount: a given source must be the account’s', () => {
    expect(body(sourceInAccount(q({ leadSourceId: 4 }), f({ sourceExists: false })))).toEqual({
      status: 400,
      body: {
        error: 'leadSourceId does not refer to a lead source of this account',
        details: [{ field: 'leadSourceId', message: 'does not refer to a lead source of this account' }],
      },
    });
    expect(sourceInAccount(q({ leadSourceId: 4 }), FINE)).toBeNull();
    expect(sourceInAccount(q({ leadSourceId: null }), f({ sourceExists: false }))).toBeNull();
  });

  it('sourceOfLeadTeam: a source with a team serves only that team’s leads', () => {
    expect(body(sourceOfLeadTeam(q({ teamId: 3, leadSourceId: 4 }), f({ sourceTeamId: 8 })))).toEqual({
      status: 400,
      body: {
        error: 'leadSourceId belongs to a different team than the lead',
        details: [{ field: 'leadSourceId', message: 'belongs to a different team than the lead' }],
      },
    });
    expect(sourceOfLeadTeam(q({ teamId: null, leadSourceId: 4 }), f({ sourceTeamId: 8 }))).not.toBeNull();
    expect(sourceOfLeadTeam(q({ teamId: 8, leadSourceId: 4 }), f({ sourceTeamId: 8 }))).toBeNull();
    expect(sourceOfLeadTeam(q({ teamId: 3, leadSourceId: 4 }), f({ sourceTeamId: null }))).toBeNull();
  });

  it('assigneeEligible: a requested assignee must be an active member', () => {
    expect(body(assigneeEligible(q({ assignee: 'a@x.io' }), f({ assigneeActive: false })))).toEqual({
      status: 400,
      body: {
        error: 'assignedTo is not an active member of this account',
        details: [{ field: 'assignedTo', message: 'is not an active member of this account' }],
      },
    });
    expect(assigneeEligible(q({ assignee: 'a@x.io' }), FINE)).toBeNull();
    expect(assigneeEligible(q({ assignee: null }), f({ assigneeActive: false }))).toBeNull();
  });

  it('creatorInAccount: a requested creator must be a user of the account', () => {
    expect(body(creatorInAccount(q({ createdBy: 'c@x.io' }), f({ createdByMember: false })))).toEqual({
      status: 400,
      body: {
        error: 'createdBy is not a user of this account',
        details: [{ field: 'createdBy', message: 'is not a user of this account' }],
      },
    });
    expect(creatorInAccount(q({ createdBy: 'c@x.io' }), FINE)).toBeNull();
    expect(creatorInAccount(q({ createdBy: null }), f({ createdByMember: false }))).toBeNull();
  });

  it('assertLeadRules throws the first broken rule in the contract’s order, and nothing when none is broken', () => {
    const all = f({ hasActiveTeams: true, teamExists: false, sourceExists: false, assigneeActive: false, createdByMember: false });
    const thrown = (question: LeadQuestion) => {
      try {
        assertLeadRules(question, all);
      } catch (e) {
        return (e as { getResponse(): { error: string } }).getResponse().error;
      }
      return null;
    };
    expect(thrown(q({ activeTeams: true, assignee: 'a@x.io' }))).toBe(TEAM_REQUIRED);
    expect(thrown(q({ teamId: 3, leadSourceId: 4 }))).toBe('teamId does not refer to a team of this account');
    expect(thrown(q({ assignee: 'a@x.io', createdBy: 'c@x.io' }))).toBe('assignedTo is not an active member of this account');
    expect(() => assertLeadRules(q({ teamId: 3, leadSourceId: 4, assignee: 'a@x.io', createdBy: 'c@x.io' }), FINE)).not.toThrow();
  });
});
