import { Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditLog } from '../audit/entities/audit-log.entity';
import { parseDateRange } from '../common/list/paginate';
import { timestampParam } from '../database/column-types';
import { preparedQuery, textArrayParam } from '../database/prepared';
import { columnList, entityFromJson, entityFromRow, insertStatement, insertValues, SqlParams, sqliteInsert, sqliteJsonObject } from '../database/rows';
import { LEAD_INT_FILTERS, LEAD_TEXT_FILTERS, ListLeadsQuery, NULL_FILTER } from './dto/lead-query.dto';
import { Lead } from './entities/lead.entity';
import { LeadFacts, LeadQuestion } from './lead-rules';

export type LeadValues = QueryDeepPartialEntity<Lead>;

/** What the create statement wrote: ids, and the rotation's pick when one applied. */
export interface CreatedRow {
  leadId: number;
  entryId: number;
  rotationId: number | null;
  pickedPosition: number | null;
  pickedEmail: string | null;
}

/** API field → column, for filters and sorting. */
export const LEAD_COLUMNS: Record<string, string> = {
  id: 'id',
  teamId: 'team_id',
  leadSourceId: 'lead_source_id',
  applicationId: 'application_id',
  firstName: 'first_name',
  lastName: 'last_name',
  imgSrc: 'img_src',
  email: 'email',
  phone: 'phone',
  company: 'company',
  jobTitle: 'job_title',
  branch: 'branch',
  source: 'source',
  position: 'position',
  location: 'location',
  productsServicesSold: 'products_services_sold',
  numberOfEmployees: 'number_of_employees',
  currentPaymentProcessor: 'current_payment_processor',
  monthlyTransactionVolume: 'monthly_transaction_volume',
  interestedInSwitching: 'interested_in_switching',
  processStage: 'process_stage',
  buyingRole: 'buying_role',
  assignedTo: 'assigned_to',
  notes: 'notes',
  lastContacted: 'last_contacted',
  archived: 'archived',
  createdBy: 'created_by',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const member = (email: string) =>
  `FROM users u INNER JOIN memberships m ON m.user_id = u.id AND m.account_id = q.account_id WHERE u.email = q.${email}`;
const FACTS = (p: (i: number) => string) => `
  SELECT EXISTS (SELECT 1 FROM teams tt WHERE tt.account_id = q.account_id AND tt.active) AS has_active_teams,
         t.id AS team_id,
         EXISTS (SELECT 1 FROM lead_sources st WHERE st.account_id = q.account_id AND st.team_id = q.team_id AND st.active) AS team_has_sources,
         s.id AS source_id, s.team_id AS source_team_id,
         (SELECT CASE WHEN u.active AND m.active THEN 1 ELSE 0 END ${member('assignee')}) AS assignee_active,
         (SELECT 1 ${member('created_by')}) AS created_by_member
  FROM (SELECT CAST(${p(1)} AS integer) AS account_id, CAST(${p(2)} AS integer) AS team_id, CAST(${p(3)} AS integer) AS source_id,
               CAST(${p(4)} AS varchar(320)) AS assignee, CAST(${p(5)} AS varchar(320)) AS created_by) q
  LEFT JOIN teams t ON t.id = q.team_id AND t.account_id = q.account_id
  LEFT JOIN lead_sources s ON s.id = q.source_id AND s.account_id = q.account_id`;
const FACTS_PG = FACTS((i) => `$${i}`);
const FACTS_SQLITE = FACTS(() => '?');
/** A boolean as either database returns it (true/false, 1/0). */
const truthy = (v: unknown): boolean => v === true || Number(v) === 1;

/** The facts of a row of FACTS. */
function factsFromRow(row: Record<string, unknown>): LeadFacts {
  return {
    hasActiveTeams: truthy(row.has_active_teams),
    teamExists: row.team_id != null,
    teamHasSources: truthy(row.team_has_sources),
    sourceExists: row.source_id != null,
    sourceTeamId: row.source_team_id == null ? null : Number(row.source_team_id),
    assigneeActive: truthy(row.assignee_active),
    createdByMember: row.created_by_member != null,
  };
}

/**
 * PostgreSQL: the CTEs `f` (the row of FACTS for the question, given as parameter markers) and
 * `ok` (one boolean: no rule of the question fails). The same rules, in SQL, as
 * LeadsService.enforceRules applies to the facts in TypeScript; a lead refused here is judged there
 * again from the facts the statement returns, to name the rule.
 */
function rulesCtes(q: { account: string; activeTeams: string; teamId: string; teamSources: string; leadSourceId: string; assignee: string; createdBy: string }): string {
  const markers = [q.account, q.teamId, q.leadSourceId, q.assignee, q.createdBy];
  const team = `CAST(${q.teamId} AS integer)`;
  return `f AS (${FACTS((i) => markers[i - 1])}),
    ok AS (SELECT COALESCE(
      NOT (CAST(${q.activeTeams} AS boolean) AND f.has_active_teams)
      AND NOT (CAST(${q.teamSources} AS boolean) AND f.team_has_sources)
      AND (${team} IS NULL OR f.team_id IS NOT NULL)
      AND (CAST(${q.leadSourceId} AS integer) IS NULL OR (f.source_id IS NOT NULL AND (f.source_team_id IS NULL OR f.source_team_id = ${team})))
      AND (CAST(${q.assignee} AS varchar(320)) IS NULL OR f.assignee_active = 1)
      AND (CAST(${q.createdBy} AS varchar(320)) IS NULL OR f.created_by_member IS NOT NULL), false) AS ok FROM f)`;
}

/** The texts of the create statement, per data source and shape (see insertCreated). */
const createTexts = new WeakMap<object, Map<number, string>>();
/** Columns the create statement fills with expressions, not with parameters. */
const LEAD_BY_EXPRESSION = { account_id: true };
const LEAD_BY_EXPRESSION_WITH_ROTATION = { account_id: true, assigned_to: true };
const ENTRY_BY_EXPRESSION = { account_id: true, data: true, lead_id: true };

/** The parameters of the create statement, in the order createStatement adds them. */
function createValues(em: EntityManager, lead: LeadValues, entry: ObjectLiteral, rotation: boolean, ask: LeadQuestion | null): unknown[] {
  const values: unknown[] = [lead.accountId];
  if (ask) values.push(ask.activeTeams, ask.teamId, ask.teamSources, ask.leadSourceId, ask.assignee, ask.createdBy);
  values.push(JSON.stringify(entry.data));
  if (rotation) values.push(lead.teamId ?? -1);
  insertValues(em, Lead, lead, values, rotation ? LEAD_BY_EXPRESSION_WITH_ROTATION : LEAD_BY_EXPRESSION);
  insertValues(em, AuditLog, entry, values, ENTRY_BY_EXPRESSION);
  return values;
}

/** The create statement of insertCreated for this shape, with its parameters. */
function createStatement(
  em: EntityManager,
  lead: LeadValues,
  entry: ObjectLiteral,
  rotation: ((account: string, team: string, condition?: string) => string) | null,
  ask: LeadQuestion | null,
): { text: string; values: unknown[] } {
  const p = new SqlParams();
  const account = p.add(lead.accountId);
  const ctes: string[] = [];
  let allowed: string | undefined;
  if (ask) {
    ctes.push(
      rulesCtes({
        account,
        activeTeams: p.add(ask.activeTeams),
        teamId: p.add(ask.teamId),
        teamSources: p.add(ask.teamSources),
        leadSourceId: p.add(ask.leadSourceId),
        assignee: p.add(ask.assignee),
        createdBy: p.add(ask.createdBy),
      }),
    );
    allowed = '(SELECT ok FROM ok)';
  }
  const leadExpressions: Record<string, string> = { account_id: account };
  let entryData = `${p.add(JSON.stringify(entry.data))}::jsonb || jsonb_build_object('id', (SELECT id FROM l))`;
  let picked = 'NULL::int AS rotation_id, NULL::int AS picked_position, NULL::text AS picked_email';
  if (rotation) {
    ctes.push(rotation(account, p.add(lead.teamId ?? -1), allowed));
    leadExpressions.assigned_to = '(SELECT email FROM pick)';
    // With a rotation, the pick replaces the manual assignment the entry was built with.
    entryData += ` || COALESCE((SELECT jsonb_build_object('assignedTo', pick.email, 'assignment', jsonb_build_object(
      'method', CASE WHEN pick.email IS NULL THEN 'none' ELSE 'rotation' END, 'rotationId', r.id, 'position', pick.idx))
      FROM r LEFT JOIN pick ON true), '{}')`;
    picked = '(SELECT id FROM r) AS rotation_id, (SELECT idx FROM pick) AS picked_position, (SELECT email FROM pick) AS picked_email';
  }
  ctes.push(`l AS (${insertStatement(em, Lead, lead, p, leadExpressions, allowed)} RETURNING id)`);
  ctes.push(
    `a AS (${insertStatement(em, AuditLog, entry, p, { account_id: account, data: entryData, lead_id: '(SELECT id FROM l)' }, allowed)} RETURNING id)`,
  );
  return {
    text: `WITH ${ctes.join(', ')} SELECT (SELECT id FROM l) AS lead_id, (SELECT id FROM a) AS entry_id, ${picked}${ask ? ', f.* FROM f' : ''}`,
    values: p.values,
  };
}

/** Lead rows, always within one account. */
@Injectable()
export class LeadsRepository {
  /**
   * Answers the questions of the lead rules in one round trip, with one fixed text on both databases
   * (prepared on PostgreSQL): the named team and source, joined only within the account; EXISTS
   * probes for "the account has active teams" and "the team has active lead sources"; and the
   * assignee's and the creator's membership of the account (by lower-cased email). Each parameter
   * appears once (SQLite's `?` are positional); what was not asked is answered but ignored.
   */
  async leadFacts(em: EntityManager, accountId: number, ask: LeadQuestion): Promise<LeadFacts> {
    const [row] = await preparedQuery<Record<string, unknown>>(em, em.connection.options.type === 'postgres' ? FACTS_PG : FACTS_SQLITE, [
      accountId,
      ask.teamId,
      ask.leadSourceId,
      ask.assignee,
      ask.createdBy,
    ]);
    return factsFromRow(row);
  }

  /** SQLite: inserts a lead and returns its id (PostgreSQL creates with insertCreated). */
  insert(em: EntityManager, values: LeadValues): Promise<number> {
    return sqliteInsert(em, Lead, values);
  }

  /**
   * PostgreSQL: POST /leads as ONE statement, which is its own transaction: the lead, its
   * `lead_created` entry and, when `rotation` is given (no assignee in the request), the rotation
   * advance of RotationPointerService.leadRotationCtes, whose pick becomes the lead's `assigned_to`
   * and the entry's `assignedTo` and `assignment`. `lead` and `entry` are complete but for what the
   * statement fills in: the lead's id (also written as `id` into the entry's data) and the pick.
   * With `ask`, the statement also answers the rules' question (as leadFacts would, in the same
   * snapshot) and writes nothing, moves no rotation and takes no lock when a rule fails: it then
   * returns the facts, for the caller to name the rule. Inside an open transaction (an
   * Idempotency-Key request) the statement is part of it.
   */
  async insertCreated(
    em: EntityManager,
    lead: LeadValues,
    entry: ObjectLiteral,
    rotation: ((account: string, team: string, condition?: string) => string) | null,
    ask: LeadQuestion | null = null,
  ): Promise<CreatedRow | { refused: LeadFacts }> {
    // Four texts in all (with and without the rotation, with and without the rules), each built
    // once per data source and prepared once per connection; every request computes only the values.
    const shape = (rotation ? 1 : 0) + (ask ? 2 : 0);
    let texts = createTexts.get(em.connection);
    if (!texts) createTexts.set(em.connection, (texts = new Map()));
    let text = texts.get(shape);
    const values = createValues(em, lead, entry, rotation !== null, ask);
    if (text === undefined) {
      const built = createStatement(em, lead, entry, rotation, ask);
      // The values are computed apart from the text: they must be the ones the text was built with.
      if (!isDeepStrictEqual(values, built.values)) throw new Error('the create statement and its values disagree');
      texts.set(shape, (text = built.text));
    }
    const [row] = await preparedQuery<Record<string, unknown>>(em, text, values);
    if (row.lead_id === null) {
      if (!ask) throw new Error('the create statement wrote no lead');
      return { refused: factsFromRow(row) };
    }
    return {
      leadId: Number(row.lead_id),
      entryId: Number(row.entry_id),
      rotationId: row.rotation_id === null ? null : Number(row.rotation_id),
      pickedPosition: row.picked_position === null ? null : Number(row.picked_position),
      pickedEmail: row.picked_email as string | null,
    };
  }

  /**
   * The lead and its history (the lead events of `events`, oldest first) in one query, with one
   * fixed text per database (prepared on PostgreSQL); null when the lead does not exist in the account.
   */
  async findWithHistory(
    em: EntityManager,
    accountId: number,
    id: number,
    events: readonly string[],
  ): Promise<{ lead: Lead; history: AuditLog[] } | null> {
    if (em.connection.options.type === 'postgres') {
      // Two JSON columns whatever the tables hold (a column added by a later migration while this
      // instance runs only adds a key, where a changed list of result columns would fail the prepared
      // statement until a restart), and two fields for pg to describe instead of one per column.
      const [row] = await preparedQuery<{ __lead: Record<string, unknown>; __history: Record<string, unknown>[] }>(
        em,
        `SELECT row_to_json(l) AS __lead, (SELECT COALESCE(json_agg(h ORDER BY h.id), '[]') FROM (
           SELECT ${columnList(em, AuditLog, 'a')} FROM audit_logs a
           WHERE a.account_id = l.account_id AND a.lead_id = l.id AND a.event = ANY($3)
         ) h) AS __history
         FROM leads l WHERE l.id = $1 AND l.account_id = $2`,
        [id, accountId, textArrayParam(events)],
      );
      if (!row) return null;
      return { lead: entityFromJson(em, Lead, row.__lead), history: row.__history.map((h) => entityFromJson(em, AuditLog, h)) };
    }
    // SQLite: the history as a JSON array of rows with their stored values (hydrated as TypeORM would).
    const [row] = await em.query(
      `SELECT ${columnList(em, Lead, 'l')}, (
         SELECT json_group_array(${sqliteJsonObject(em, AuditLog, 'a')} ORDER BY a.id) FROM audit_logs a
         WHERE a.account_id = l.account_id AND a.lead_id = l.id AND a.event IN (${events.map(() => '?').join(', ')})
       ) AS __history
       FROM leads l WHERE l.id = ? AND l.account_id = ?`,
      [...events, id, accountId],
    );
    if (!row) return null;
    const history = JSON.parse(row.__history) as Record<string, unknown>[];
    return {
      lead: entityFromRow(em, Lead, row),
      history: history.map((h) => entityFromRow(em, AuditLog, h)),
    };
  }

  /** The lead, or null when it does not exist in the account. `lock` holds it until the transaction ends (PostgreSQL). */
  findById(em: EntityManager, accountId: number, id: number, opts: { lock?: boolean } = {}): Promise<Lead | null> {
    const qb = em.getRepository(Lead).createQueryBuilder('l').where('l.id = :id AND l.account_id = :accountId', { id, accountId });
    if (opts.lock && em.connection.options.type === 'postgres') qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  async update(em: EntityManager, accountId: number, id: number, values: LeadValues): Promise<void> {
    await em.update(Lead, { id, accountId }, values);
  }

  async delete(em: EntityManager, accountId: number, id: number): Promise<void> {
    await em.delete(Lead, { id, accountId });
  }

  /** The account's leads with the filters of GET /leads applied (search, sort and paging are the caller's). */
  filtered(em: EntityManager, accountId: number, q: ListLeadsQuery): SelectQueryBuilder<Lead> {
    const qb = em.getRepository(Lead).createQueryBuilder('l').where('l.account_id = :accountId', { accountId });
    qb.andWhere('l.archived = :archived', { archived: q.archived ?? false });

    const idFilter = (field: 'teamId' | 'leadSourceId') => {
      const v = q[field];
      if (v === undefined) return;
      if (v === NULL_FILTER) qb.andWhere(`l.${LEAD_COLUMNS[field]} IS NULL`);
      else qb.andWhere(`l.${LEAD_COLUMNS[field]} = :${field}`, { [field]: v });
    };
    idFilter('teamId');
    idFilter('leadSourceId');
    if (q.assignedTo !== undefined) {
      if (q.assignedTo === NULL_FILTER) qb.andWhere('l.assigned_to IS NULL');
      else qb.andWhere('l.assigned_to = :assignedTo', { assignedTo: q.assignedTo.trim().toLowerCase() });
    }
    for (const field of [...LEAD_TEXT_FILTERS, ...LEAD_INT_FILTERS]) {
      const v = q[field];
      if (v !== undefined) qb.andWhere(`l.${LEAD_COLUMNS[field]} = :f_${field}`, { [`f_${field}`]: v });
    }
    if (q.interestedInSwitching !== undefined) {
      qb.andWhere('l.interested_in_switching = :switching', { switching: q.interestedInSwitching });
    }
    for (const field of ['createdAt', 'updatedAt', 'lastContacted'] as const) {
      const range = parseDateRange(q[field], field);
      const column = `l.${LEAD_COLUMNS[field]}`;
      if (range?.from) qb.andWhere(`${column} >= :${field}From`, { [`${field}From`]: timestampParam(range.from) });
      if (range?.to) qb.andWhere(`${column} <= :${field}To`, { [`${field}To`]: timestampParam(range.to) });
    }
    return qb;
  }
}
