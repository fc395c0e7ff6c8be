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
import type { LeadRouting } from '../routing/routing-policy';
import { RotationMove, RoutingRepository } from '../routing/routing.repository';
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

/** The lead and its entry as created (see LeadsRepository.create), with the lead's id. */
function completeCreated(lead: NewLead, entry: AuditEntryInput, leadId: number): { lead: Lead; entry: AuditEntryInput } {
  const data: Record<string, unknown> = { ...(entry.data as Record<string, unknown>), id: leadId };
  return { lead: Object.assign(new Lead(), lead, { id: leadId }), entry: { ...entry, leadId, data } };
}

/** The lead and its entry with the routing's outcome applied (assignedTo, and the entry's `assignment`). */
function routed(lead: NewLead, entry: AuditEntryInput, routing: LeadRouting): { lead: NewLead; entry: AuditEntryInput } {
  const data = { ...(entry.data as Record<string, unknown>), assignedTo: routing.assignedTo, assignment: routing.assignment };
  return { lead: { ...lead, assignedTo: routing.assignedTo }, entry: { ...entry, data } };
}

/** Lead rows, always within one account. */
@Injectable()
export class LeadsRepository {
  constructor(
    private readonly tx: TransactionService,
    private readonly routing: RoutingRepository,
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
   * Writes a new lead (`lead`, complete but for its id) and its `lead_created` entry, whose `data` is
   * the lead as created: the lead's id is added to it. All of it commits together, inside the
   * transaction open in the caller's context if there is one. `rules` (none when no rule applies)
   * decides on the facts before anything is written.
   *
   * With `route`, the lead is routed inside the create's transaction (RoutingService.routeNewLead,
   * which locks the rotations it tries): its pick becomes the lead's `assignedTo` and the entry's
   * `assignedTo` and `assignment`, and the rotation moves with the writes, which are one statement
   * on PostgreSQL, so no round trip happens between them while the rotation is locked.
   *
   * Without it, on SQLite: one transaction whose facts are read inside it, so nothing they say can
   * change before the writes. On PostgreSQL: one statement, which reads the facts again and writes
   * only if they are the ones the rules decided on; otherwise it answers the facts it found, which
   * are decided on in turn. The first guess is the facts that last passed the same question, so such
   * a create usually takes one round trip.
   */
  async create(
    lead: NewLead,
    entry: AuditEntryInput,
    rules: LeadRulesCheck | null,
    route: ((em: EntityManager) => Promise<LeadRouting>) | null,
  ): Promise<CreatedLead> {
    if (isPostgres(this.tx.manager) && !this.tx.inTransaction) return this.pgCreate(lead, entry, rules, route);
    // SQLite, or inside a request's own transaction (an Idempotency-Key): the facts are read in it.
    return this.tx.run(async (em) => {
      if (rules) rules.decide(await this.leadFacts(em, lead.accountId, rules.question));
      const routing = route && (await route(em));
      const r = routing ? routed(lead, entry, routing) : { lead, entry };
      if (isPostgres(em)) {
        const statement = this.pgCreateStatement(em, r.lead, r.entry, null, routing?.moved ?? null);
        const [row] = await preparedQuery<Record<string, unknown>>(em, statement.text, statement.values);
        return this.pgCreated(r.lead, r.entry, row) as CreatedLead;
      }
      if (routing?.moved) await this.routing.move(em, lead.accountId, routing.moved);
      return this.sqliteCreate(em, r.lead, r.entry);
    });
  }

  /**
   * PostgreSQL, outside any transaction: create's statement checks the rules' facts itself, against
   * a guess (the facts that last passed the same question, else facts read just before). When the
   * facts changed, nothing is written and the rules decide again on the facts it found.
   */
  private async pgCreate(
    lead: NewLead,
    entry: AuditEntryInput,
    rules: LeadRulesCheck | null,
    route: ((em: EntityManager) => Promise<LeadRouting>) | null,
  ): Promise<CreatedLead> {
    const key = rules && JSON.stringify([lead.accountId, rules.question]);
    let guess = key === null ? null : (this.passedFacts.get(key) ?? null);
    for (let attempt = 1; ; attempt++) {
      const written = await this.pgAttempt(lead, entry, rules, guess, route);
      if ('lead' in written.result) {
        if (key !== null) {
          this.passedFacts.delete(key);
          this.passedFacts.set(key, written.facts!);
          if (this.passedFacts.size > PASSED_FACTS_LIMIT) this.passedFacts.delete(this.passedFacts.keys().next().value!);
        }
        return written.result;
      }
      this.passedFacts.delete(key!);
      guess = written.result.found;
      if (attempt === CREATE_ATTEMPTS) {
        throw ApiError.conflict("The account's teams, lead sources or members changed during the request; retry it");
      }
    }
  }

  /**
   * One try of pgCreate. Unrouted: one statement. Routed: one transaction, in which the facts (when
   * not guessed) and the rotation's locked load go out back to back, and the write goes out with its
   * COMMIT, so the rotation stays locked only from its load to the write.
   */
  private async pgAttempt(
    lead: NewLead,
    entry: AuditEntryInput,
    rules: LeadRulesCheck | null,
    guess: LeadFacts | null,
    route: ((em: EntityManager) => Promise<LeadRouting>) | null,
  ): Promise<{ result: CreatedLead | { found: LeadFacts }; facts: LeadFacts | null }> {
    const attempt = async (em: EntityManager, finish?: <R>(text: string, values: unknown[]) => Promise<R[]>) => {
      const [facts, routing] = await Promise.all([
        rules && (guess ?? this.leadFacts(em, lead.accountId, rules.question)),
        route && route(em),
      ]);
      if (rules) rules.decide(facts!);
      const r = routing ? routed(lead, entry, routing) : { lead, entry };
      const expected = rules && { question: rules.question, facts: facts! };
      const statement = this.pgCreateStatement(em, r.lead, r.entry, expected, routing?.moved ?? null);
      const [row] = finish
        ? await finish<Record<string, unknown>>(statement.text, statement.values)
        : await preparedQuery<Record<string, unknown>>(em, statement.text, statement.values);
      return { result: this.pgCreated(r.lead, r.entry, row), facts };
    };
    return route ? this.tx.runCommittingWith(attempt) : attempt(this.tx.manager);
  }

  /** SQLite: the lead, then its entry. */
  private async sqliteCreate(em: EntityManager, lead: NewLead, entry: AuditEntryInput): Promise<CreatedLead> {
    const created = completeCreated(lead, entry, await sqliteInsert(em, Lead, lead));
    return { lead: created.lead, entry: { ...created.entry, id: await sqliteInsert(em, AuditLog, created.entry) } as AuditLog };
  }

  /**
   * PostgreSQL: create's one statement. With `expected`, the facts of its question are read in the
   * same statement and the lead is written only if they equal `expected.facts`; when they do not,
   * nothing is written and the facts found are answered. With `moved`, the rotation moves too.
   */
  private pgCreateStatement(
    em: EntityManager,
    lead: NewLead,
    entry: AuditEntryInput,
    expected: { question: LeadQuestion; facts: LeadFacts } | null,
    moved: RotationMove | null,
  ): { text: string; values: unknown[] } {
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
    if (moved) ctes.push(this.routing.moveCte(p, account, moved, when));
    const entryData = `${p.add(JSON.stringify(entry.data))}::jsonb || jsonb_build_object('id', (SELECT id FROM l))`;
    ctes.push(`l AS (${insertStatement(em, Lead, lead, p, { account_id: account }, when)} RETURNING id)`);
    const entryExpressions = { account_id: account, data: entryData, lead_id: '(SELECT id FROM l)' };
    ctes.push(`a AS (${insertStatement(em, AuditLog, entry, p, entryExpressions, 'EXISTS (SELECT 1 FROM l)')} RETURNING id)`);
    const facts = expected ? `, ${FACT_COLUMNS.map((c) => `f.${c.column}`).join(', ')} FROM f` : '';
    return {
      text: `WITH ${ctes.join(', ')} SELECT (SELECT id FROM l) AS lead_id, (SELECT id FROM a) AS entry_id${facts}`,
      values: p.values,
    };
  }

  /** PostgreSQL: the lead and entry create's statement wrote, or the facts it found instead. */
  private pgCreated(lead: NewLead, entry: AuditEntryInput, row: Record<string, unknown>): CreatedLead | { found: LeadFacts } {
    if (row.lead_id === null) return { found: factsFromRow(row) };
    const created = completeCreated(lead, entry, Number(row.lead_id));
    return { lead: created.lead, entry: { ...created.entry, id: Number(row.entry_id) } as AuditLog };
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
