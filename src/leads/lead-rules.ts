import { ApiError } from '../common/errors/api-error';

/**
 * The rules of a lead's create and update (contract §5), as plain functions of facts the database
 * reports. The repository only gathers the facts (LeadsRepository.leadFacts) and writes what these
 * functions allowed; no rule is decided anywhere else.
 */

export const TEAM_REQUIRED = 'team ID is required when teams exist in the account';
export const SOURCE_REQUIRED = 'lead source ID is required when the team has lead sources';

/** What the rules of one write look at: the lead's resulting team and source, and the emails it names. */
export interface LeadRuleSubject {
  /** Given when the team/source rules apply (every create; a PATCH that names teamId or leadSourceId). */
  teamAndSource: { teamId: number | null; leadSourceId: number | null; skip: boolean } | null;
  /** A requested assignee (lower-cased), or null when none is requested. */
  assignee: string | null;
  /** A requested creator (lower-cased), or null when none is requested. */
  createdBy: string | null;
}

/** What the database is asked for one write; ids and emails as the lead will have them. */
export interface LeadQuestion {
  /** Whether the account's active teams matter (a team is required). */
  activeTeams: boolean;
  teamId: number | null;
  /** Whether the team's active lead sources matter (a source is required). */
  teamSources: boolean;
  leadSourceId: number | null;
  assignee: string | null;
  createdBy: string | null;
}

/** The database's answers to a LeadQuestion. */
export interface LeadFacts {
  /** The account has at least one active team. */
  hasActiveTeams: boolean;
  /** The asked team exists in the account. */
  teamExists: boolean;
  /** The asked team has at least one active lead source. */
  teamHasSources: boolean;
  /** The asked lead source exists in the account. */
  sourceExists: boolean;
  /** The team of the asked lead source (null when it has none). */
  sourceTeamId: number | null;
  /** The asked assignee is an active user with an active membership of the account. */
  assigneeActive: boolean;
  /** The asked creator is a user of the account (an inactive one included). */
  createdByMember: boolean;
}

/** One rule: the 400 it answers when the facts break it, else null. */
export type LeadRule = (q: LeadQuestion, f: LeadFacts) => ApiError | null;

/** Rule 5: createdBy defaults to the caller. */
export function creatorOf(requested: string | null, actorEmail: string): string {
  return requested ?? actorEmail;
}

/**
 * What the rules need to know about `subject`, or null when no rule applies (nothing to ask). The
 * caller as creator needs no check: they are a member of the account by the time a route runs.
 */
export function leadQuestion(subject: LeadRuleSubject, actorEmail: string): LeadQuestion | null {
  const { teamId = null, leadSourceId = null, skip = true } = subject.teamAndSource ?? {};
  const q: LeadQuestion = {
    activeTeams: !skip && teamId === null,
    teamId,
    teamSources: !skip && teamId !== null && leadSourceId === null,
    leadSourceId,
    assignee: subject.assignee,
    createdBy: subject.createdBy === actorEmail ? null : subject.createdBy,
  };
  const nothing = !q.activeTeams && teamId === null && leadSourceId === null && q.assignee === null && q.createdBy === null;
  return nothing ? null : q;
}

/** Rule 1: a team is required once the account has active teams (unless skipped). */
export const teamRequired: LeadRule = (q, f) => (q.activeTeams && f.hasActiveTeams ? ApiError.badRequest(TEAM_REQUIRED) : null);

/** Rule 2: a lead source is required once the lead's team has active sources (unless skipped). */
export const sourceRequired: LeadRule = (q, f) => (q.teamSources && f.teamHasSources ? ApiError.badRequest(SOURCE_REQUIRED) : null);

/** Rule 3: a given team is one of the account's. */
export const teamInAccount: LeadRule = (q, f) =>
  q.teamId !== null && !f.teamExists ? ApiError.invalidField('teamId', 'does not refer to a team of this account') : null;

/** Rule 3: a given lead source is one of the account's. */
export const sourceInAccount: LeadRule = (q, f) =>
  q.leadSourceId !== null && !f.sourceExists
    ? ApiError.invalidField('leadSourceId', 'does not refer to a lead source of this account')
    : null;

/** Rule 3: a lead source with a team only serves that team's leads. */
export const sourceOfLeadTeam: LeadRule = (q, f) =>
  q.leadSourceId !== null && f.sourceExists && f.sourceTeamId !== null && f.sourceTeamId !== q.teamId
    ? ApiError.invalidField('leadSourceId', 'belongs to a different team than the lead')
    : null;

/** A requested assignee is an active member of the account. */
export const assigneeEligible: LeadRule = (q, f) =>
  q.assignee !== null && !f.assigneeActive ? ApiError.invalidField('assignedTo', 'is not an active member of this account') : null;

/** A requested creator is a user of the account, a former member included (leads imported from their time). */
export const creatorInAccount: LeadRule = (q, f) =>
  q.createdBy !== null && !f.createdByMember ? ApiError.invalidField('createdBy', 'is not a user of this account') : null;

/** Every rule, in the contract's order: the first broken one is the answer. */
export const LEAD_RULES: readonly LeadRule[] = [
  teamRequired,
  sourceRequired,
  teamInAccount,
  sourceInAccount,
  sourceOfLeadTeam,
  assigneeEligible,
  creatorInAccount,
];

/** Throws the 400 of the first rule the facts break. */
export function assertLeadRules(q: LeadQuestion, f: LeadFacts): void {
  for (const rule of LEAD_RULES) {
    const broken = rule(q, f);
    if (broken) throw broken;
  }
}
