import { Injectable } from '@nestjs/common';
import { EntityManager, getMetadataArgsStorage, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { leadEventCondition } from '../audit/audit-logs.repository';
import type { AuditEntryInput } from '../audit/audit.service';
import { AuditLog } from '../audit/entities/audit-log.entity';
import { ApiError } from '../common/errors/api-error';
import { parseDateRange } from '../common/list/paginate';
import { isPostgres } from '../database/dialect';
import { preparedQuery } from '../database/prepared';
import { columnList, entityFromJson, entityFromRow, insertStatement, SqlParams, sqliteInsert, sqliteJsonObject } from '../database/rows';
import { TransactionService } from '../database/transaction.service';
import { RotationPointerRepository } from '../rotations/rotation-pointer.repository';
import { assignmentData } from '../rotations/rotation-pick';
import { LEAD_INT_FILTERS, LEAD_TEXT_FILTERS, ListLeadsQuery, NULL_FILTER } from './dto/lead-query.dto';
import { Lead } from './entities/lead.entity';
import { LeadFacts, LeadQuestion } from './lead-rules';

export type LeadValues = QueryDeepPartialEntity<Lead>;

/** A lead to create: every column but its id. */
export type NewLead = Omit<Lead, 'id'>;

/** What LeadsRepository.create wrote: the lead and its entry, with their ids. */
export interface CreatedLead {
  lead: Lead;
  entry: AuditLog;
}

/** API field → column, for filters and sorting: read from the entity's TypeORM decorators, so a new column needs no entry here. */
export const LEAD_COLUMNS: Record<string, string> = Object.fromEntries(
  getMetadataArgsStorage()
    .columns.filter((c) => c.target === Lead)
    .map((c) => [c.propertyName, c.options.name ?? c.propertyName]),
);

const member = (email: string) =>
  `FROM users u INNER JOIN memberships m ON m.user_id = u.id AND m.account_id = q.account_id WHERE u.email = q.${email}`;

/** The facts of the lead rules: LeadFacts by column, each with its SQL type and expression. */
const FACT_COLUMNS: readonly { key: keyof LeadFacts; column: string; type: 'boolean' | 'integer'; sql: string }[] = [
  {
    key: 'hasActiveTeams',
    column: 'has_active_teams',
    type: 'boolean',
    sql: 'EXISTS (SELECT 1 FROM teams tt WHERE tt.account_id = q.account_id AND tt.active)',
  },
  { key: 'teamExists', column: 'team_exists', type: 'boolean', sql: 't.id IS NOT NULL' },
  {
    key: 'teamHasSources',
    column: 'team_has_sources',
    type: 'boolean',
    sql: 'EXISTS (SELECT 1 FROM lead_sources st WHERE st.account_id = q.account_id AND st.team_id = q.team_id AND st.active)',
  },
  { key: 'sourceExists', column: 'source_exists', type: 'boolean', sql: 's.id IS NOT NULL' },
  { key: 'sourceTeamId', column: 'source_team_id', type: 'integer', sql: 's.team_id' },
  {
    key: 'assigneeActive',
    column: 'assignee_active',
    type: 'boolean',
    sql: `COALESCE((SELECT u.active AND m.active ${member('assignee')}), false)`,
  },
  { key: 'createdByMember', column: 'created_by_member', type: 'boolean', sql: `EXISTS (SELECT 1 ${member('created_by')})` },
];

/**
 * The facts of a LeadQuestion as one row, given the markers of the account and the question's team,
 * source, assignee and creator (each used once: SQLite's `?` are positional). The team and source are
 * joined only within the account; emails are matched as stored (lower-cased).
 */
const FACTS = (account: string, team: string, source: string, assignee: string, createdBy: string) => `
  SELECT ${FACT_COLUMNS.map((f) => `${f.sql} AS ${f.column}`).join(', ')}
  FROM (SELECT CAST(${account} AS integer) AS account_id, CAST(${team} AS integer) AS team_id, CAST(${source} AS integer) AS source_id,
               CAST(${assignee} AS varchar(320)) AS assignee, CAST(${createdBy} AS varchar(320)) AS created_by) q
  LEFT JOIN teams t ON t.id = q.team_id AND t.account_id = q.account_id
  LEFT JOIN lead_sources s ON s.id = q.source_id AND s.account_id = q.account_id`;
const FACTS_PG = FACTS('$1', '$2', '$3', '$4', '$5');
const FACTS_SQLITE = FACTS('?', '?', '?', '?', '?');
/** A boolean as either database returns it (true/false, 1/0). */
const truthy = (v: unknown): boolean => v === true || Number(v) === 1;

/** The facts of a row of FACTS. */
function factsFromRow(row: Record<string, unknown>): LeadFacts {
  const facts: Record<string, unknown> = {};
  for (const f of FACT_COLUMNS) {
    const v = row[f.column];
    facts[f.key] = f.type === 'boolean' ? truthy(v) : v == null ? null : Number(v);
  }
  return facts as unknown as LeadFacts;
}

/** How a create's lead rules are checked: what to ask the database, and the decision on its answer (throws to refuse). */
export interface LeadRulesCheck {
  question: LeadQuestion;
  decide(facts: LeadFacts): void;
}

/** Facts that passed the rules of a question, kept as the first guess of the next create asking it. */
const PASSED_FACTS_LIMIT = 10_000;
/** Times a create re-decides on facts that changed under it before it gives up (409). */
const CREATE_ATTEMPTS = 3;

/** The lead and its entry as created (see LeadsRepository.create), the pick applied. */
function completeCreated(
  lead: NewLead,
  entry: AuditEntryInput,
  leadId: number,
  pick: { rotationId: number; email: string | null; position: number | null } | null,
): { lead: Lead; entry: AuditEntryInput } {
  const created = Object.assign(new Lead(), lead, { id: leadId });
  const data: Record<string, unknown> = { ...(entry.data as Record<string, unknown>), id: leadId };
  if (pick) {
    const assigned = assignmentData(pick);
    created.assignedTo = assigned.assignedTo;
    Object.assign(data, assigned);
  }
  return { lead: created, entry: { ...entry, leadId, data } };
}

/** Lead rows, always within one account. */
@Injectable()
export class LeadsRepository {
  constructor(
    private readonly tx: TransactionService,
    private readonly pointer: RotationPointerRepository,
  ) {}

  /** Facts that passed, by account and question (see create). */
  private readonly passedFacts = new Map<string, LeadFacts>();

  /** Answers the questions of the lead rules in one round trip (prepared on PostgreSQL); what was not asked is answered but ignored. */
  async leadFacts(em: EntityManager, accountId: number, ask: LeadQuestion): Promise<LeadFacts> {
    const [row] = await preparedQuery<Record<string, unknown>>(em, isPostgres(em) ? FACTS_PG : FACTS_SQLITE, [
      accountId,
      ask.teamId,
      ask.leadSourceId,
      ask.assignee,
      ask.createdBy,
    ]);
    return factsFromRow(row);
  }

  /**
   * Writes a new lead (`lead`, complete but for its id) and its `lead_created` entry and, with
   * `rotate`, advances the rotation the lead goes through (RotationPointerRepository) and assigns
   * its pick. `entry.data` is the lead as created; the lead's id, and the pick's `assignedTo` and
   * `assignment`, are added to it. All of it commits together, inside the transaction open in the
   * caller's context if there is one. `rules` (none when no rule applies) decides on the facts
   * before anything is written.
   *
   * SQLite: one transaction of a few statements; the facts are read inside it, so nothing they say
   * can change before the writes. PostgreSQL: one statement, atomic by itself, so the rotation stays
   * locked only while it runs. It reads the facts again and writes only if they are the ones the rules
   * decided on; otherwise it answers the facts it found, which are decided on in turn. The first guess
   * is the facts that last passed the same question, so a create usually takes one round trip.
   */
  async create(lead: NewLead, entry: AuditEntryInput, rotate: boolean, rules: LeadRulesCheck | null): Promise<CreatedLead> {
    if (!isPostgres(this.tx.manager)) {
      return this.tx.run(async (em) => {
        if (rules) rules.decide(await this.leadFacts(em, lead.accountId, rules.question));
        const pick = rotate ? await this.pointer.advanceForNewLead(em, lead.accountId, lead.teamId) : null;
        const picked = pick && { rotationId: pick.rotation.id, email: pick.user?.email ?? null, position: pick.pickedPosition };
        const row = picked ? { ...lead, assignedTo: picked.email } : lead;
        const created = completeCreated(row, entry, await sqliteInsert(em, Lead, row), picked);
        return { ...created, entry: { ...created.entry, id: await sqliteInsert(em, AuditLog, created.entry) } };
      });
    }
    const em = this.tx.manager;
    if (!rules) return (await this.pgCreate(em, lead, entry, rotate, null)) as CreatedLead;
    const key = JSON.stringify([lead.accountId, rules.question]);
    let facts = this.passedFacts.get(key) ?? (await this.leadFacts(em, lead.accountId, rules.question));
    for (let attempt = 1; ; attempt++) {
      rules.decide(facts);
      const written = await this.pgCreate(em, lead, entry, rotate, { question: rules.question, facts });
      if ('lead' in written) {
        this.passedFacts.delete(key);
        this.passedFacts.set(key, facts);
        if (this.passedFacts.size > PASSED_FACTS_LIMIT) this.passedFacts.delete(this.passedFacts.keys().next().value!);
        return written;
      }
      this.passedFacts.delete(key);
      facts = written.found;
      if (attempt === CREATE_ATTEMPTS) {
        throw ApiError.conflict("The account's teams, lead sources or members changed during the request; retry it");
      }
    }
  }

  /**
   * PostgreSQL: create's statement. With `expected`, the facts of its question are read in the same
   * statement and the lead is written only if they equal `expected.facts`; when they do not, nothing
   * is written and the facts found are answered.
   */
  private async pgCreate(
    em: EntityManager,
    lead: NewLead,
    entry: AuditEntryInput,
    rotate: boolean,
    expected: { question: LeadQuestion; facts: LeadFacts } | null,
  ): Promise<CreatedLead | { found: LeadFacts }> {
    const p = new SqlParams();
    const account = p.add(lead.accountId);
    const ctes: string[] = [];
    let when: string | undefined;
    if (expected) {
      const { question: q, facts } = expected;
      ctes.push(`f AS (${FACTS(account, p.add(q.teamId), p.add(q.leadSourceId), p.add(q.assignee), p.add(q.createdBy))})`);
      const found = FACT_COLUMNS.map((c) => `f.${c.column}`).join(', ');
      const wanted = FACT_COLUMNS.map((c) => `${p.add(facts[c.key])}::${c.type}`).join(', ');
      ctes.push(`go AS (SELECT 1 FROM f WHERE (${found}) IS NOT DISTINCT FROM (${wanted}))`);
      when = 'EXISTS (SELECT 1 FROM go)';
    }
    const leadExpressions: Record<string, string> = { account_id: account };
    let entryData = `${p.add(JSON.stringify(entry.data))}::jsonb || jsonb_build_object('id', (SELECT id FROM l))`;
    let picked = 'NULL::int AS rotation_id, NULL::int AS picked_position, NULL::text AS picked_email';
    if (rotate) {
      ctes.push(this.pointer.newLeadAdvanceCtes(account, p.add(lead.teamId), when));
      leadExpressions.assigned_to = '(SELECT email FROM pick)';
      // As completeCreated: the pick replaces the assignment the entry was built with.
      entryData += ` || COALESCE((SELECT jsonb_build_object('assignedTo', pick.email, 'assignment', jsonb_build_object(
        'method', CASE WHEN pick.email IS NULL THEN 'none' ELSE 'rotation' END, 'rotationId', r.id, 'position', pick.idx))
        FROM r LEFT JOIN pick ON true), '{}')`;
      picked = '(SELECT id FROM r) AS rotation_id, (SELECT idx FROM pick) AS picked_position, (SELECT email FROM pick) AS picked_email';
    }
    ctes.push(`l AS (${insertStatement(em, Lead, lead, p, leadExpressions, when)} RETURNING id)`);
    const entryExpressions = { account_id: account, data: entryData, lead_id: '(SELECT id FROM l)' };
    ctes.push(`a AS (${insertStatement(em, AuditLog, entry, p, entryExpressions, 'EXISTS (SELECT 1 FROM l)')} RETURNING id)`);
    const facts = expected ? `, ${FACT_COLUMNS.map((c) => `f.${c.column}`).join(', ')}` : '';
    const text = `WITH ${ctes.join(', ')} SELECT (SELECT id FROM l) AS lead_id, (SELECT id FROM a) AS entry_id, ${picked}${facts}${expected ? ' FROM f' : ''}`;
    const [row] = await preparedQuery<Record<string, unknown>>(em, text, p.values);
    if (row.lead_id === null) return { found: factsFromRow(row) };
    const pick =
      row.rotation_id === null
        ? null
        : {
            rotationId: Number(row.rotation_id),
            email: row.picked_email as string | null,
            position: row.picked_position === null ? null : Number(row.picked_position),
          };
    const created = completeCreated(lead, entry, Number(row.lead_id), pick);
    return { ...created, entry: { ...created.entry, id: Number(row.entry_id) } };
  }

  /**
   * The lead and its history (its lead events, oldest first, through the partial index of lead
   * events) in one query, with one fixed text per database (prepared on PostgreSQL); null when the
   * lead does not exist in the account.
   */
  async findWithHistory(em: EntityManager, accountId: number, id: number): Promise<{ lead: Lead; history: AuditLog[] } | null> {
    if (isPostgres(em)) {
      // Two JSON columns whatever the tables hold (a column added by a later migration while this
      // instance runs only adds a key, where a changed list of result columns would fail the prepared
      // statement until a restart), and two fields for pg to describe instead of one per column.
      const [row] = await preparedQuery<{ __lead: Record<string, unknown>; __history: Record<string, unknown>[] }>(
        em,
        `SELECT row_to_json(l) AS __lead, (SELECT COALESCE(json_agg(h ORDER BY h.id), '[]') FROM (
           SELECT ${columnList(em, AuditLog, 'a')} FROM audit_logs a
           WHERE a.account_id = l.account_id AND a.lead_id = l.id AND ${leadEventCondition('a')}
         ) h) AS __history
         FROM leads l WHERE l.id = $1 AND l.account_id = $2`,
        [id, accountId],
      );
      if (!row) return null;
      return { lead: entityFromJson(em, Lead, row.__lead), history: row.__history.map((h) => entityFromJson(em, AuditLog, h)) };
    }
    // SQLite: the history as a JSON array of rows with their stored values (hydrated as TypeORM would).
    const [row] = await em.query(
      `SELECT ${columnList(em, Lead, 'l')}, (
         SELECT json_group_array(${sqliteJsonObject(em, AuditLog, 'a')} ORDER BY a.id) FROM audit_logs a
         WHERE a.account_id = l.account_id AND a.lead_id = l.id AND ${leadEventCondition('a')}
       ) AS __history
       FROM leads l WHERE l.id = ? AND l.account_id = ?`,
      [id, accountId],
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
    if (opts.lock && isPostgres(em)) qb.setLock('pessimistic_write');
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
      if (range?.from) qb.andWhere(`${column} >= :${field}From`, { [`${field}From`]: range.from });
      if (range?.to) qb.andWhere(`${column} <= :${field}To`, { [`${field}To`]: range.to });
    }
    return qb;
  }
}
