import { Injectable } from '@nestjs/common';
import { EntityManager, getMetadataArgsStorage, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { leadEventCondition } from '../audit/audit-logs.repository';
import type { AuditEntryInput } from '../audit/audit.service';
import { AuditLog } from '../audit/entities/audit-log.entity';
import { ApiError } from '../common/errors/api-error';
import { parseDateRange } from '../common/list/paginate';
import { isPostgres } from '../database/dialect';
import { advisoryLockOn } from '../database/locking';
import { preparedQuery } from '../database/prepared';
import {
  columnList,
  entityFromJson,
  entityFromRow,
  insertRecordsetStatement,
  insertStatement,
  SqlParams,
  sqliteInsert,
  sqliteJsonObject,
} from '../database/rows';
import { TransactionService } from '../database/transaction.service';
import type { LeadRouting } from '../routing/routing-policy';
import { RotationMove, RoutingRepository } from '../routing/routing.repository';
import { WebhookOutboxRepository } from '../webhooks/webhook-outbox.repository';
import { LEAD_INT_FILTERS, LEAD_TEXT_FILTERS, ListLeadsQuery, NULL_FILTER } from './dto/lead-query.dto';
import { Lead } from './entities/lead.entity';
import { LeadFacts, LeadQuestion } from './lead-rules';
import type { OutboxEvent } from '../webhooks/webhook-outbox.repository';
import { normalizeEmail } from '../common/email';

export type LeadValues = QueryDeepPartialEntity<Lead>;

/** A lead to create: every column but its id. */
export type NewLead = Omit<Lead, 'id'>;

/**
 * The `lead.created` event of a create: its id and the lead as answered (but its id and routing, which
 * the create adds), kept apart from the entry's data, which the audit log masks and cuts.
 */
export interface LeadCreatedEvent {
  eventId: string;
  lead: object;
}

/** A create's rows: the lead, its entry and its event. */
export interface CreateRows {
  lead: NewLead;
  entry: AuditEntryInput;
  event: LeadCreatedEvent;
}

/** What LeadsRepository.create wrote: the lead and its entry, with their ids. */
export interface CreatedLead {
  lead: Lead;
  entry: AuditLog;
}

/** Advisory lock namespace of the duplicate check's email keys. */
const EMAIL_LOCK_NAMESPACE = 0x1eae;

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
/** Most routed creates written together (see LeadsRepository.create). */
const ROUTED_BATCH_LIMIT = 100;
/** Writes of one account and team in flight at once: one writing, the next waiting for its lock. */
const ROUTED_WRITES_IN_FLIGHT = 2;

/** How a new lead is routed: by `pick`, through the rotations of its account and team (`key`). */
export interface LeadRoute {
  key: string;
  /** Picks for `count` leads in order, locking the rotations tried until the transaction ends. */
  pick(em: EntityManager, count: number): Promise<LeadRouting[]>;
}

interface PendingCreate extends CreateRows {
  rules: LeadRulesCheck | null;
  route: LeadRoute | null;
}

interface QueuedCreate extends PendingCreate {
  resolve(created: CreatedLead): void;
  reject(error: unknown): void;
}

/** The routed creates of one account and team (see LeadsRepository.batched). */
interface RoutedWrites {
  queue: QueuedCreate[];
  inFlight: number;
  scheduled: boolean;
  /** Settles once the last write started has written (or failed): the next may then take the rotation's lock. */
  ordered: Promise<void>;
}

/** The lead and its entry as created (see LeadsRepository.create), with the lead's id. */
function completeCreated(lead: NewLead, entry: AuditEntryInput, leadId: number): { lead: Lead; entry: AuditEntryInput } {
  const data: Record<string, unknown> = { ...(entry.data as Record<string, unknown>), id: leadId };
  return { lead: Object.assign(new Lead(), lead, { id: leadId }), entry: { ...entry, leadId, data } };
}

/** The create's rows with the routing's outcome applied (assignedTo, and the entry's and event's `assignment`). */
function routed({ lead, entry, event }: CreateRows, routing: LeadRouting): CreateRows {
  // The entry's data is the lead as answered, so an unassigned lead has no `assignedTo` there either.
  const outcome = { assignedTo: routing.assignedTo ?? undefined, assignment: routing.assignment };
  return {
    lead: { ...lead, assignedTo: routing.assignedTo },
    entry: { ...entry, data: { ...(entry.data as Record<string, unknown>), ...outcome } },
    event: { eventId: event.eventId, lead: { ...event.lead, ...outcome } },
  };
}

/** The `lead.created` outbox event of a created lead. */
function createdEvent(event: LeadCreatedEvent, leadId: number): OutboxEvent {
  return { eventId: event.eventId, type: 'lead.created', leadId, data: { lead: { ...event.lead, id: leadId } } };
}

/** Lead rows, always within one account. */
@Injectable()
export class LeadsRepository {
  constructor(
    private readonly tx: TransactionService,
    private readonly routing: RoutingRepository,
    private readonly outbox: WebhookOutboxRepository,
  ) {}

  /** Facts that passed, by account and question (see create). */
  private readonly passedFacts = new Map<string, LeadFacts>();
  /** Routed creates of each account and team, queued and in flight (PostgreSQL). */
  private readonly routedWrites = new Map<string, RoutedWrites>();

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
   * With `route`, the lead is routed in the create's transaction (the rotations tried are locked):
   * its pick becomes the lead's `assignedTo` and the entry's `assignedTo` and `assignment`, and the
   * rotation moves with the writes.
   *
   * SQLite, or inside a transaction: the facts are read in the transaction, so nothing they say can
   * change before the writes. PostgreSQL otherwise: the write statement reads the facts again and
   * writes only if they are the ones the rules decided on (else the rules decide again on what it
   * found); the first guess is the facts that last passed the same question. Routed creates of one
   * account and team that arrive while one of theirs is being written are written together, in one
   * transaction (see pgRoutedBatch): a busy rotation is locked once per batch, not once per lead.
   */
  async create(rows: CreateRows, rules: LeadRulesCheck | null, route: LeadRoute | null): Promise<CreatedLead> {
    if (isPostgres(this.tx.manager) && !this.tx.inTransaction) {
      return route ? this.batched({ ...rows, rules, route }) : this.pgCreate({ ...rows, rules, route: null });
    }
    return this.tx.run(async (em) => {
      if (rules) rules.decide(await this.leadFacts(em, rows.lead.accountId, rules.question));
      const routing = route && (await route.pick(em, 1))[0];
      const r = routing ? routed(rows, routing) : rows;
      if (isPostgres(em)) {
        const statement = this.pgCreateStatement(em, [r], [], routing?.moved ? [routing.moved] : []);
        const [row] = await preparedQuery<Record<string, unknown>>(em, statement.text, statement.values);
        return (this.pgCreated([r], [], row) as { created: CreatedLead[] }).created[0];
      }
      if (routing?.moved) await this.routing.move(em, rows.lead.accountId, routing.moved);
      return this.sqliteCreate(em, r);
    });
  }

  /** The facts last passed for `rules`' question, if any. */
  private guessFor(accountId: number, rules: LeadRulesCheck): LeadFacts | null {
    return this.passedFacts.get(JSON.stringify([accountId, rules.question])) ?? null;
  }

  private remember(accountId: number, question: LeadQuestion, facts: LeadFacts | null): void {
    const key = JSON.stringify([accountId, question]);
    this.passedFacts.delete(key);
    if (facts === null) return;
    this.passedFacts.set(key, facts);
    if (this.passedFacts.size > PASSED_FACTS_LIMIT) this.passedFacts.delete(this.passedFacts.keys().next().value!);
  }

  /**
   * PostgreSQL, one create on its own: one statement (routed: one transaction, the rotation locked from
   * its load to the commit). When the facts changed under the guess, the rules decide again.
   */
  private async pgCreate(c: PendingCreate): Promise<CreatedLead> {
    const accountId = c.lead.accountId;
    let guess = c.rules && this.guessFor(accountId, c.rules);
    for (let attempt = 1; ; attempt++) {
      const work = async (em: EntityManager) => {
        const facts = c.rules && (guess ?? (await this.leadFacts(em, accountId, c.rules.question)));
        if (c.rules) c.rules.decide(facts!);
        const routing = c.route && (await c.route.pick(em, 1))[0];
        const r = routing ? routed(c, routing) : { lead: c.lead, entry: c.entry, event: c.event };
        const checks = c.rules ? [{ question: c.rules.question, facts: facts! }] : [];
        const statement = this.pgCreateStatement(em, [r], checks, routing?.moved ? [routing.moved] : []);
        const [row] = await preparedQuery<Record<string, unknown>>(em, statement.text, statement.values);
        return { written: this.pgCreated([r], checks, row), facts };
      };
      const { written, facts } = c.route ? await this.tx.run(work) : await work(this.tx.manager);
      if ('created' in written) {
        if (c.rules) this.remember(accountId, c.rules.question, facts);
        return written.created[0];
      }
      this.remember(accountId, c.rules!.question, null);
      guess = written.found[0];
      if (attempt === CREATE_ATTEMPTS) {
        throw ApiError.conflict("The account's teams, lead sources or members changed during the request; retry it");
      }
    }
  }

  /** Queues a routed create behind the writes of its account and team in flight, if any (PostgreSQL). */
  private batched(c: PendingCreate): Promise<CreatedLead> {
    return new Promise<CreatedLead>((resolve, reject) => {
      const key = c.route!.key;
      let writes = this.routedWrites.get(key);
      if (!writes) this.routedWrites.set(key, (writes = { queue: [], inFlight: 0, scheduled: false, ordered: Promise.resolve() }));
      writes.queue.push({ ...c, resolve, reject });
      this.schedule(key, writes);
    });
  }

  /**
   * Starts the key's next writes once the current tick is over, so creates queued together (a batch
   * request's items) are written together rather than the first of them alone.
   */
  private schedule(key: string, writes: RoutedWrites): void {
    if (writes.scheduled) return;
    writes.scheduled = true;
    queueMicrotask(() => {
      writes.scheduled = false;
      while (writes.inFlight < ROUTED_WRITES_IN_FLIGHT && writes.queue.length) this.startWrite(key, writes);
      if (!writes.inFlight && !writes.queue.length) this.routedWrites.delete(key);
    });
  }

  /**
   * Writes up to ROUTED_BATCH_LIMIT queued creates. Two writes of a key overlap: the next one opens its
   * transaction while the current one writes, and asks for the rotation's lock once the current one's
   * statement has succeeded (`ordered`), so the lock changes hands at the commit and the picks stay in
   * queue order.
   */
  private startWrite(key: string, writes: RoutedWrites): void {
    const items = writes.queue.splice(0, ROUTED_BATCH_LIMIT);
    const previous = writes.ordered;
    let done!: () => void;
    writes.ordered = new Promise<void>((resolve) => (done = resolve));
    writes.inFlight++;
    void this.writeRouted(items, previous, done).finally(() => {
      done();
      writes.inFlight--;
      this.schedule(key, writes);
    });
  }

  private async writeRouted(items: QueuedCreate[], previous: Promise<void>, picked: () => void): Promise<void> {
    // A batch that cannot be written as a whole (the facts changed, or the database refused one of
    // its rows) is written one create at a time, so each request gets its own answer.
    const together = await this.pgRoutedBatch(items, previous, picked).catch(() => null);
    if (together) {
      items.forEach((item, i) => (together[i] instanceof Error ? item.reject(together[i]) : item.resolve(together[i] as CreatedLead)));
      return;
    }
    await previous;
    for (const item of items) await this.pgCreate(item).then(item.resolve, item.reject);
  }

  /**
   * PostgreSQL: routed creates of one account and team, in one transaction: the facts of their
   * questions (guessed, or read first), the rules decided per create (a refused one gets its error and
   * takes no pick), the picks in queue order from one locked load, and one statement writing every lead
   * and entry and the rotation's final state. Null when the facts changed under the guesses (nothing
   * written). The picks wait for `previous` (the key's write before it); `written` tells the next one
   * that this one's statement has succeeded.
   */
  private async pgRoutedBatch(
    items: QueuedCreate[],
    previous: Promise<void>,
    written: () => void,
  ): Promise<(CreatedLead | Error)[] | null> {
    const accountId = items[0].lead.accountId;
    const questions = new Map<string, { question: LeadQuestion; facts: LeadFacts | null }>();
    for (const item of items) {
      if (item.rules)
        questions.set(JSON.stringify(item.rules.question), { question: item.rules.question, facts: this.guessFor(accountId, item.rules) });
    }
    return this.tx.run(async (em) => {
      for (const q of questions.values()) q.facts ??= await this.leadFacts(em, accountId, q.question);
      const results: (CreatedLead | Error)[] = [];
      const accepted: number[] = [];
      items.forEach((item, i) => {
        try {
          item.rules?.decide(questions.get(JSON.stringify(item.rules.question))!.facts!);
          accepted.push(i);
        } catch (e) {
          results[i] = e as Error;
        }
      });
      if (!accepted.length) return results;
      await previous;
      const routings = await items[0].route!.pick(em, accepted.length);
      const rows = accepted.map((i, k) => routed(items[i], routings[k]));
      const finalMoves = new Map<number, RotationMove>();
      for (const r of routings) if (r.moved) finalMoves.set(r.moved.id, r.moved);
      const checks = [...questions.values()].map((q) => ({ question: q.question, facts: q.facts! }));
      const statement = this.pgCreateStatement(em, rows, checks, [...finalMoves.values()]);
      // Prepared: the text varies with the number of distinct rule questions and rotations moved, not with the batch's size.
      const [row] = await preparedQuery<Record<string, unknown>>(em, statement.text, statement.values);
      const outcome = this.pgCreated(rows, checks, row);
      if (!('created' in outcome)) {
        for (const q of checks) this.remember(accountId, q.question, null);
        return null;
      }
      written();
      for (const q of checks) this.remember(accountId, q.question, q.facts);
      accepted.forEach((i, k) => (results[i] = outcome.created[k]));
      return results;
    });
  }

  /** SQLite: the lead, then its entry and its event's deliveries. */
  private async sqliteCreate(em: EntityManager, { lead, entry, event }: CreateRows): Promise<CreatedLead> {
    const created = completeCreated(lead, entry, await sqliteInsert(em, Lead, lead));
    const entryId = await sqliteInsert(em, AuditLog, created.entry);
    await this.outbox.enqueue(em, lead.accountId, [createdEvent(event, created.lead.id)]);
    return { lead: created.lead, entry: { ...created.entry, id: entryId } as AuditLog };
  }

  /**
   * PostgreSQL: one statement writing `items` (leads with their entries, each entry's data given the
   * lead's id, and their `lead.created` deliveries for the account's subscribed webhooks) and moving
   * the rotations `moved`. With `checks`, the facts of each question are read
   * in the same statement and nothing is written unless every one equals the facts the rules decided
   * on; the facts found are answered either way.
   */
  private pgCreateStatement(
    em: EntityManager,
    items: CreateRows[],
    checks: { question: LeadQuestion; facts: LeadFacts }[],
    moved: RotationMove[],
  ): { text: string; values: unknown[] } {
    const p = new SqlParams();
    const account = p.add(items[0].lead.accountId);
    const ctes: string[] = [];
    checks.forEach(({ question: q, facts }, i) => {
      ctes.push(`f${i} AS (${FACTS(account, p.add(q.teamId), p.add(q.leadSourceId), p.add(q.assignee), p.add(q.createdBy))})`);
      const found = FACT_COLUMNS.map((c) => `f${i}.${c.column}`).join(', ');
      const wanted = FACT_COLUMNS.map((c) => `${p.add(facts[c.key])}::${c.type}`).join(', ');
      ctes.push(`go${i} AS (SELECT 1 FROM f${i} WHERE (${found}) IS NOT DISTINCT FROM (${wanted}))`);
    });
    const when = checks.length ? checks.map((_, i) => `EXISTS (SELECT 1 FROM go${i})`).join(' AND ') : undefined;
    moved.forEach((m, j) => ctes.push(this.routing.moveCte(p, account, m, `mv${j}`, when)));
    let created: string;
    if (items.length === 1) {
      // One lead: a VALUES row per table, cheaper to bind and run than a recordset of one.
      const [{ lead, entry }] = items;
      ctes.push(`l AS (${insertStatement(em, Lead, lead, p, { account_id: account }, when)} RETURNING id)`);
      const entryData = `${p.add(JSON.stringify(entry.data))}::jsonb || jsonb_build_object('id', (SELECT id FROM l))`;
      const entryExpressions = { account_id: account, data: entryData, lead_id: '(SELECT id FROM l)' };
      ctes.push(`a AS (${insertStatement(em, AuditLog, entry, p, entryExpressions, 'EXISTS (SELECT 1 FROM l)')} RETURNING id, lead_id)`);
      const event = items[0].event;
      ctes.push(
        this.outbox.leadCreatedCte(
          p,
          account,
          'w',
          `SELECT l.id, ${p.add(event.eventId)}::text AS event_id, ${p.add(JSON.stringify(event.lead))}::jsonb AS lead, 1 AS ord FROM l`,
        ),
      );
      created = 'SELECT jsonb_agg(jsonb_build_array(a.lead_id, a.id)) FROM a';
    } else {
      // Ids drawn in item order (none when a check failed), then every lead and every entry in one INSERT
      // each: the text depends only on the checks and moves, not on how many leads are written.
      const gate = when === undefined ? '' : ` WHERE ${when}`;
      ctes.push(
        `ids AS (SELECT ord, nextval(pg_get_serial_sequence('leads', 'id')) AS id FROM generate_series(1, ${p.add(items.length)}::int) AS ord${gate})`,
      );
      const byOrd = 'JOIN ids ON ids.ord = r.ordinality';
      const leads = insertRecordsetStatement(
        em,
        Lead,
        items.map((i) => i.lead),
        p,
        {
          alias: 'r',
          from: byOrd,
          expressions: { account_id: account },
          extra: { id: 'ids.id' },
        },
      );
      ctes.push(`l AS (${leads} RETURNING id)`);
      const entries = insertRecordsetStatement(
        em,
        AuditLog,
        items.map((i) => i.entry),
        p,
        {
          alias: 'r',
          from: `${byOrd} WHERE EXISTS (SELECT 1 FROM l)`,
          expressions: { account_id: account, lead_id: 'ids.id', data: `r.data || jsonb_build_object('id', ids.id)` },
        },
      );
      ctes.push(`a AS (${entries} RETURNING id, lead_id)`);
      const eventIds = p.add(items.map((i) => i.event.eventId));
      const eventLeads = p.add(JSON.stringify(items.map((i) => i.event.lead)));
      ctes.push(
        this.outbox.leadCreatedCte(
          p,
          account,
          'w',
          `SELECT ids.id, (${eventIds}::text[])[ids.ord] AS event_id, ${eventLeads}::jsonb -> (ids.ord - 1) AS lead, ids.ord FROM ids WHERE EXISTS (SELECT 1 FROM l)`,
        ),
      );
      created = 'SELECT jsonb_agg(jsonb_build_array(ids.id, a.id) ORDER BY ids.ord) FROM ids JOIN a ON a.lead_id = ids.id';
    }
    // [lead id, entry id] per item, in item order; null when nothing was written.
    const selected = [`(${created}) AS created`];
    checks.forEach((_, i) => selected.push(...FACT_COLUMNS.map((c) => `f${i}.${c.column} AS f${i}_${c.column}`)));
    const from = checks.length ? ` FROM ${checks.map((_, i) => `f${i}`).join(', ')}` : '';
    return { text: `WITH ${ctes.join(', ')} SELECT ${selected.join(', ')}${from}`, values: p.values };
  }

  /** PostgreSQL: what pgCreateStatement wrote, or (when a check failed) the facts it found instead. */
  private pgCreated(
    items: CreateRows[],
    checks: unknown[],
    row: Record<string, unknown>,
  ): { created: CreatedLead[] } | { found: LeadFacts[] } {
    const ids = row.created as [number | string, number | string][] | null;
    if (ids === null) {
      const prefixed = (i: number) => Object.fromEntries(FACT_COLUMNS.map((c) => [c.column, row[`f${i}_${c.column}`]]));
      return { found: checks.map((_, i) => factsFromRow(prefixed(i))) };
    }
    return {
      created: items.map(({ lead, entry }, k) => {
        const created = completeCreated(lead, entry, Number(ids[k][0]));
        return { lead: created.lead, entry: { ...created.entry, id: Number(ids[k][1]) } as AuditLog };
      }),
    };
  }

  /**
   * Holds, until the caller's transaction ends, the right to create a lead with this email key in the
   * account: concurrent creates of one email wait for each other, other emails do not (PostgreSQL;
   * SQLite runs one transaction at a time).
   */
  lockEmailKey(em: EntityManager, accountId: number, emailKey: string): Promise<void> {
    return advisoryLockOn(em, EMAIL_LOCK_NAMESPACE, `${accountId}:${emailKey}`);
  }

  /** The oldest unarchived lead of the account whose email has the key `emailKey` (through IDX_leads_account_email_key). */
  findByEmailKey(em: EntityManager, accountId: number, emailKey: string): Promise<Lead | null> {
    return (
      em
        .createQueryBuilder(Lead, 'l')
        // The terms of the index's predicate as written there, so both databases use it.
        .where('l.account_id = :accountId AND l.email_key = :emailKey AND NOT l.archived AND l.email_key IS NOT NULL', {
          accountId,
          emailKey,
        })
        .orderBy('l.id', 'ASC')
        .limit(1)
        .getOne()
    );
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
      else qb.andWhere('l.assigned_to = :assignedTo', { assignedTo: normalizeEmail(q.assignedTo) });
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
