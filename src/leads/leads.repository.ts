import { Injectable } from '@nestjs/common';
import { EntityManager, getMetadataArgsStorage, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { leadEventCondition } from '../audit/audit-logs.repository';
import type { AuditEntryInput } from '../audit/audit.service';
import { AuditLog } from '../audit/entities/audit-log.entity';
import { parseDateRange } from '../common/list/paginate';
import { timestampParam } from '../database/column-types';
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

  /**
   * Answers the questions of the lead rules in one round trip, with one fixed text on both databases
   * (prepared on PostgreSQL): the named team and source, joined only within the account; EXISTS
   * probes for "the account has active teams" and "the team has active lead sources"; and the
   * assignee's and the creator's membership of the account (by lower-cased email). Each parameter
   * appears once (SQLite's `?` are positional); what was not asked is answered but ignored.
   */
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
   * caller's context if there is one. On PostgreSQL it is one statement, atomic by itself, so the
   * rotation stays locked only while it runs; on SQLite, one transaction of a few statements.
   * `check` (the lead rules) runs first: on SQLite inside that transaction, so nothing it read can
   * change before the writes; on PostgreSQL just before the statement (foreign keys still refuse a
   * team or source deleted in between).
   */
  async create(lead: NewLead, entry: AuditEntryInput, rotate: boolean, check: (em: EntityManager) => Promise<void>): Promise<CreatedLead> {
    if (!isPostgres(this.tx.manager)) {
      return this.tx.run(async (em) => {
        await check(em);
        const pick = rotate ? await this.pointer.advanceForNewLead(em, lead.accountId, lead.teamId) : null;
        const picked = pick && { rotationId: pick.rotation.id, email: pick.user?.email ?? null, position: pick.pickedPosition };
        const row = picked ? { ...lead, assignedTo: picked.email } : lead;
        const created = completeCreated(row, entry, await sqliteInsert(em, Lead, row), picked);
        return { ...created, entry: { ...created.entry, id: await sqliteInsert(em, AuditLog, created.entry) } };
      });
    }
    const em = this.tx.manager;
    await check(em);
    const p = new SqlParams();
    const account = p.add(lead.accountId);
    const ctes: string[] = [];
    const leadExpressions: Record<string, string> = { account_id: account };
    let entryData = `${p.add(JSON.stringify(entry.data))}::jsonb || jsonb_build_object('id', (SELECT id FROM l))`;
    let picked = 'NULL::int AS rotation_id, NULL::int AS picked_position, NULL::text AS picked_email';
    if (rotate) {
      ctes.push(this.pointer.newLeadAdvanceCtes(account, p.add(lead.teamId)));
      leadExpressions.assigned_to = '(SELECT email FROM pick)';
      // As completeCreated: the pick replaces the assignment the entry was built with.
      entryData += ` || COALESCE((SELECT jsonb_build_object('assignedTo', pick.email, 'assignment', jsonb_build_object(
        'method', CASE WHEN pick.email IS NULL THEN 'none' ELSE 'rotation' END, 'rotationId', r.id, 'position', pick.idx))
        FROM r LEFT JOIN pick ON true), '{}')`;
      picked = '(SELECT id FROM r) AS rotation_id, (SELECT idx FROM pick) AS picked_position, (SELECT email FROM pick) AS picked_email';
    }
    ctes.push(`l AS (${insertStatement(em, Lead, lead, p, leadExpressions)} RETURNING id)`);
    ctes.push(
      `a AS (${insertStatement(em, AuditLog, entry, p, { account_id: account, data: entryData, lead_id: '(SELECT id FROM l)' })} RETURNING id)`,
    );
    const text = `WITH ${ctes.join(', ')} SELECT (SELECT id FROM l) AS lead_id, (SELECT id FROM a) AS entry_id, ${picked}`;
    const [row] = await preparedQuery<Record<string, unknown>>(em, text, p.values);
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
      if (range?.from) qb.andWhere(`${column} >= :${field}From`, { [`${field}From`]: timestampParam(range.from) });
      if (range?.to) qb.andWhere(`${column} <= :${field}To`, { [`${field}To`]: timestampParam(range.to) });
    }
    return qb;
  }
}
