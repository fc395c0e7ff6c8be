import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { DuplicateLeadPolicy } from '../accounts/entities/account.entity';
import { EntityManager } from 'typeorm';
import { AuditLogsRepository, LeadEvent } from '../audit/audit-logs.repository';
import { AuditService } from '../audit/audit.service';
import { AuditLog } from '../audit/entities/audit-log.entity';
import { ApiError, ErrorBody } from '../common/errors/api-error';
import { unexpectedErrorAnswer } from '../common/errors/unexpected-error';
import { ListSpec, Page, paginate } from '../common/list/paginate';
import { TransactionService } from '../database/transaction.service';
import { Assignment, explicitAssignment } from '../routing/routing-policy';
import { RoutingService } from '../routing/routing.service';
import { LeadBatchItemResult } from './dto/lead-batch.dto';
import { Lead, LeadListItem, RoutingPreviewDto } from './dto/lead.dto';
import { LeadInput, UpdateLeadInput } from './dto/lead-input.dto';
import { LEAD_SORT_FIELDS, LEAD_TEXT_FILTERS, ListLeadsQuery } from './dto/lead-query.dto';
import { Lead as LeadEntity } from './entities/lead.entity';
import { WebhookOutboxRepository } from '../webhooks/webhook-outbox.repository';
import { newEventId, webhookEventOf } from '../webhooks/webhook-events';
import { toLead, toLeadListItem } from './lead.mapper';
import { LeadRequestContext } from './lead-request';
import { assertLeadRules, creatorOf, LeadFacts, leadQuestion, LeadRuleSubject } from './lead-rules';
import { duplicateKey } from './email-key';
import { normalizeEmail } from '../common/email';
import { LEAD_COLUMNS, LeadRoute, LeadsRepository, LeadValues, NewLead } from './leads.repository';

const NOT_NULL_FIELDS = new Set<string>(['id', 'firstName', 'lastName', 'archived', 'createdAt', 'updatedAt']);

const NOT_SEARCHED = new Set<string>(['applicationId', 'imgSrc', 'createdBy']);
/** The fields `search` matches, in the order of the search index's expression. */
export const LEAD_SEARCHED_FIELDS = [...LEAD_TEXT_FILTERS.filter((f) => !NOT_SEARCHED.has(f)), 'assignedTo'];

export const LEAD_LIST_SPEC: ListSpec = {
  sortable: Object.fromEntries(LEAD_SORT_FIELDS.map((f) => [f, `l.${LEAD_COLUMNS[f]}`])),
  // The lead's own text (not ids, image URLs or who created it), plus the assignee.
  searchable: LEAD_SEARCHED_FIELDS.map((f) => `l.${LEAD_COLUMNS[f]}`),
  defaultSort: '-createdAt',
  idColumn: 'l.id',
  nullable: LEAD_SORT_FIELDS.filter((f) => !NOT_NULL_FIELDS.has(f)).map((f) => `l.${LEAD_COLUMNS[f]}`),
  // Keyset paging along the indexed (account, archived, created_at|updated_at, id) orders.
  keyset: ['createdAt', 'updatedAt'],
  plainRows: true,
};

/** Input fields copied to the lead as they are (after validation and trimming). */
const PLAIN_FIELDS = [
  'firstName',
  'lastName',
  'imgSrc',
  'email',
  'phone',
  'company',
  'jobTitle',
  'branch',
  'source',
  'position',
  'location',
  'productsServicesSold',
  'numberOfEmployees',
  'currentPaymentProcessor',
  'monthlyTransactionVolume',
  'interestedInSwitching',
  'processStage',
  'buyingRole',
  'notes',
] as const;

/** Every field a PATCH may change, in the order changes are reported. */
const UPDATABLE_FIELDS = ['teamId', 'leadSourceId', ...PLAIN_FIELDS, 'assignedTo', 'lastContacted', 'archived', 'createdBy'] as const;
type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

const toDate = (v: string | null | undefined): Date | null => (v == null ? null : new Date(v));
/** Values as audit data shows them (dates as ISO strings). */
const auditValue = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);
const sameValue = (a: unknown, b: unknown): boolean => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);

type CreateOutcome = { lead: Lead; duplicateOf: number | null };
/** A lead event of a change: its audit entry's data, and the changes its webhook event reports. */
interface LeadChangeEvent {
  event: LeadEvent;
  data: Record<string, unknown>;
  changes?: Record<string, unknown>;
}
export interface BatchFlags {
  skipTeamAndSourceRequirement: boolean;
  onDuplicate?: DuplicateLeadPolicy;
  atomic: boolean;
}

/** An item's result: its lead without the audit log, which would repeat each lead in the answer. */
function createdResult(index: number, c: CreateOutcome): LeadBatchItemResult {
  const { auditLog: _auditLog, ...lead } = c.lead;
  return { index, status: c.duplicateOf === null ? 201 : 200, lead };
}

/**
 * The context of a batch's items: their entries are recorded only with the batch (see createBatch),
 * and the request's own entry names no single lead.
 */
function itemContext(ctx: LeadRequestContext): LeadRequestContext {
  return {
    accountId: ctx.accountId,
    actor: ctx.actor,
    duplicateLeadPolicy: ctx.duplicateLeadPolicy,
    get meta() {
      return ctx.meta;
    },
    concerns: () => undefined,
    recorded: () => undefined,
  };
}

/** The 400 of an atomic batch: every failing item, its problems under `leads[i]`. */
function batchRefused(failed: { index: number; error: ApiError }[]): ApiError {
  const details = failed.flatMap(({ index, error }) => {
    const body = error.getResponse() as ErrorBody;
    const at = `leads[${index}]`;
    return body.details?.length
      ? body.details.map((d) => ({ ...d, field: `${at}.${d.field}` }))
      : [{ field: at, message: body.message ? `${body.error}: ${body.message}` : body.error }];
  });
  const indexes = failed.map((f) => f.index).join(', ');
  return ApiError.badRequest(
    'batch refused',
    `${failed.length === 1 ? 'Item' : 'Items'} ${indexes} failed, so nothing was stored`,
    details,
  );
}

/**
 * The lead use cases. Every write runs in one transaction with the lead's audit entries (and, on
 * create, the rotation advance), so either all of it is committed or none.
 */
@Injectable()
export class LeadsService {
  private readonly logger = new Logger('Leads');

  constructor(
    private readonly tx: TransactionService,
    private readonly repo: LeadsRepository,
    private readonly audit: AuditService,
    private readonly auditLogs: AuditLogsRepository,
    private readonly routing: RoutingService,
    private readonly outbox: WebhookOutboxRepository,
  ) {}

  /**
   * POST /leads (§5, §7, §8). Under the `allow` policy (the account's, unless `onDuplicate` overrides
   * it), or for a lead without an email, this is the plain create. Otherwise the create runs in a
   * transaction that first holds the lead's email key (see LeadsRepository.lockEmailKey), so of
   * concurrent creates of one email exactly one writes; an unarchived lead with the key already there
   * is refused (`reject`) or answered instead (`return_existing`), and nothing is written.
   */
  async create(
    ctx: LeadRequestContext,
    input: LeadInput,
    skipTeamAndSourceRequirement: boolean,
    onDuplicate?: DuplicateLeadPolicy,
  ): Promise<CreateOutcome> {
    const policy = onDuplicate ?? ctx.duplicateLeadPolicy;
    const emailKey = duplicateKey(input.email);
    if (policy === 'allow' || emailKey === null)
      return { lead: await this.write(ctx, input, skipTeamAndSourceRequirement), duplicateOf: null };
    return this.tx.run(async (em) => {
      await this.repo.lockEmailKey(em, ctx.accountId, emailKey);
      const existing = await this.repo.findByEmailKey(em, ctx.accountId, emailKey);
      if (!existing) return { lead: await this.write(ctx, input, skipTeamAndSourceRequirement), duplicateOf: null };
      ctx.concerns(existing.id);
      if (policy === 'reject') {
        throw new ApiError(HttpStatus.CONFLICT, 'duplicate lead', undefined, [
          { field: 'email', message: `lead ${existing.id} of this account already has this email`, leadId: existing.id },
        ]);
      }
      return { lead: toLead(existing, await this.auditLogs.leadHistory(em, ctx.accountId, existing.id)), duplicateOf: existing.id };
    });
  }

  /**
   * POST /leads/batch (§8): each item as its own POST /leads, with its own result; an item that failed
   * validation arrives as its error. `atomic`: all in one transaction, and any failing item refuses the
   * whole batch (400 listing each), so nothing is stored and no rotation moves.
   */
  async createBatch(ctx: LeadRequestContext, items: (LeadInput | ApiError)[], flags: BatchFlags): Promise<LeadBatchItemResult[]> {
    const results = await this.batchResults(itemContext(ctx), items, flags);
    // Items write their lead_created entries in transactions that may still roll back (atomic, or an
    // Idempotency-Key's): the request counts as recorded only once the batch has succeeded, so a
    // refused or failed batch gets its own entry from the exception filter.
    if (results.some((r) => r.status === 201)) this.recorded(ctx);
    return results;
  }

  private async batchResults(ctx: LeadRequestContext, items: (LeadInput | ApiError)[], flags: BatchFlags): Promise<LeadBatchItemResult[]> {
    const one = (item: LeadInput | ApiError) =>
      item instanceof ApiError ? Promise.reject(item) : this.create(ctx, item, flags.skipTeamAndSourceRequirement, flags.onDuplicate);
    if (flags.atomic) {
      const invalid = items.flatMap((item, index) => (item instanceof ApiError ? [{ index, error: item }] : []));
      if (invalid.length) throw batchRefused(invalid);
      return this.tx.run(async () => {
        const results: LeadBatchItemResult[] = [];
        const failed: { index: number; error: ApiError }[] = [];
        for (const [index, item] of items.entries()) {
          try {
            results.push(createdResult(index, await one(item)));
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            failed.push({ index, error: e });
          }
        }
        if (failed.length) throw batchRefused(failed);
        return results;
      });
    }
    const inRequestTransaction = this.tx.inTransaction;
    const settle = (index: number, p: Promise<CreateOutcome>) =>
      p.then(
        (created) => createdResult(index, created),
        (e: unknown) => this.failedResult(index, e, !inRequestTransaction),
      );
    // Index order is routing order either way: the repository queues the routed creates of a rotation in
    // the order they are called (and writes them together), so all can be started at once, unless a
    // duplicate check must see the items before it or the request's transaction (Idempotency-Key) holds
    // the one connection they would share.
    if ((flags.onDuplicate ?? ctx.duplicateLeadPolicy) === 'allow' && !inRequestTransaction) {
      return Promise.all(items.map((item, index) => settle(index, one(item))));
    }
    const results: LeadBatchItemResult[] = [];
    for (const [index, item] of items.entries()) results.push(await settle(index, one(item)));
    return results;
  }

  /** The request's entry was written with the use case: recorded, unless a transaction it joined rolls back. */
  private recorded(ctx: LeadRequestContext): void {
    ctx.recorded();
    this.tx.onRollback(() => ctx.recorded(false));
  }

  /**
   * An item's error as POST /leads would have answered it. An unexpected one, in the item's own
   * transaction, as the exception filter answers it (a database error mapped, else a 500 whose id is
   * logged); in the request's transaction it has left that
   * transaction unusable (PostgreSQL), so the request fails and nothing of it is kept.
   */
  private failedResult(index: number, e: unknown, ownTransaction: boolean): LeadBatchItemResult {
    if (e instanceof ApiError) return { index, status: e.getStatus(), error: e.getResponse() as ErrorBody };
    if (!ownTransaction) throw e;
    const { status, body } = unexpectedErrorAnswer(e, this.logger, `POST /leads/batch item ${index}`);
    return { index, status, error: body };
  }

  /**
   * A new lead: the lead, its `lead_created` entry and, when no assignee is given, its routing written
   * together by one repository call, which writes only once the lead rules have decided on the
   * database's facts.
   */
  private async write(ctx: LeadRequestContext, input: LeadInput, skipTeamAndSourceRequirement: boolean): Promise<Lead> {
    const { lead, question } = this.newLead(ctx, input, skipTeamAndSourceRequirement);
    const explicit = lead.assignedTo !== null;
    // The lead as created; the repository adds its id and, for a routed lead, its assignment.
    const data = Object.assign(
      toLeadListItem(Object.assign(new LeadEntity(), { id: 0 }, lead)),
      explicit ? { assignment: explicitAssignment() } : {},
    );
    const entry = this.audit.entry(ctx.meta, { event: 'lead_created', statusCode: 201, leadId: null, data });
    const rules = question && { question, decide: (facts: LeadFacts) => assertLeadRules(question, facts) };
    const route: LeadRoute | null = explicit
      ? null
      : {
          key: `${ctx.accountId}:${lead.teamId}`,
          pick: (em, count) => this.routing.routeNewLeads(em, ctx.accountId, lead.teamId, lead.createdAt, count, true),
        };
    // Inside a request's own transaction (an Idempotency-Key), the check and the writes join it.
    const created = await this.repo.create({ lead, entry, event: { eventId: newEventId(), lead: data } }, rules, route);
    ctx.concerns(created.lead.id);
    this.recorded(ctx);
    const assignment = (created.entry.data as { assignment: Assignment }).assignment;
    return toLead(created.lead, [created.entry], assignment);
  }

  /**
   * POST /lead-rotations/preview (§7): who the lead would go to now, and why, after the same rules
   * as a create. Nothing is locked or written.
   */
  async preview(ctx: LeadRequestContext, input: LeadInput, skipTeamAndSourceRequirement: boolean): Promise<RoutingPreviewDto> {
    const { lead, question } = this.newLead(ctx, input, skipTeamAndSourceRequirement);
    const em = this.tx.manager;
    if (question) assertLeadRules(question, await this.repo.leadFacts(em, ctx.accountId, question));
    if (lead.assignedTo !== null) return { assignedTo: lead.assignedTo, assignment: explicitAssignment() };
    const routed = await this.routing.routeNewLead(em, ctx.accountId, lead.teamId, new Date(), false);
    return { assignedTo: routed.assignedTo, assignment: routed.assignment };
  }

  /** The lead a create writes (but its id and routing), and what its rules ask the database. */
  private newLead(ctx: LeadRequestContext, input: LeadInput, skipTeamAndSourceRequirement: boolean) {
    const { accountId, actor } = ctx;
    const now = new Date();
    const plain: Record<string, unknown> = {};
    for (const f of PLAIN_FIELDS) plain[f] = input[f] ?? null;
    const lead: NewLead = Object.assign(plain, {
      accountId,
      teamId: input.teamId ?? null,
      leadSourceId: input.leadSourceId ?? null,
      applicationId: null,
      emailKey: duplicateKey(input.email),
      assignedTo: normalizeEmail(input.assignedTo),
      lastContacted: toDate(input.lastContacted),
      archived: input.archived ?? false,
      createdBy: creatorOf(normalizeEmail(input.createdBy), actor.email),
      updatedBy: actor.email,
      createdAt: now,
      updatedAt: now,
    }) as NewLead;
    const question = leadQuestion(
      {
        teamAndSource: { teamId: lead.teamId, leadSourceId: lead.leadSourceId, skip: skipTeamAndSourceRequirement },
        assignee: lead.assignedTo,
        createdBy: lead.createdBy,
      },
      actor.email,
    );
    return { lead, question };
  }

  /** GET /leads: leads without their audit log. */
  list(accountId: number, query: ListLeadsQuery): Promise<Page<LeadListItem>> {
    return paginate(this.repo.filtered(this.tx.manager, accountId, query), query, LEAD_LIST_SPEC, toLeadListItem);
  }

  /** GET /leads/{id}: the lead and its history, in one query whatever the history's length. */
  async get(ctx: LeadRequestContext, id: number): Promise<Lead> {
    const found = await this.repo.findWithHistory(this.tx.manager, ctx.accountId, id);
    if (!found) throw ApiError.notFound('Lead');
    ctx.concerns(id);
    return toLead(found.lead, found.history);
  }

  /**
   * PATCH /leads/{id}. The team/source rules are checked again only when the body names teamId or
   * leadSourceId, so a lead created before the account had teams can still be edited; assignedTo
   * and createdBy are checked when they change. A PATCH that changes nothing writes nothing.
   */
  async update(ctx: LeadRequestContext, id: number, input: UpdateLeadInput, skipTeamAndSourceRequirement: boolean): Promise<Lead> {
    const { accountId, actor } = ctx;
    const result = await this.tx.run(async (em) => {
      const current = await this.repo.findById(em, accountId, id, { lock: true });
      if (!current) throw ApiError.notFound('Lead');
      ctx.concerns(id);

      const next: Partial<Record<UpdatableField, unknown>> = {};
      for (const f of UPDATABLE_FIELDS) {
        const v = input[f];
        if (v === undefined) continue;
        next[f] =
          f === 'assignedTo' || f === 'createdBy'
            ? normalizeEmail(v as string | null)
            : f === 'lastContacted'
              ? toDate(v as string | null)
              : v;
      }
      const changed = UPDATABLE_FIELDS.filter((f) => f in next && !sameValue(current[f], next[f]));

      const teamFields = input.teamId !== undefined || input.leadSourceId !== undefined;
      await this.checkRules(em, ctx, {
        teamAndSource: teamFields
          ? {
              teamId: (input.teamId !== undefined ? input.teamId : current.teamId) ?? null,
              leadSourceId: (input.leadSourceId !== undefined ? input.leadSourceId : current.leadSourceId) ?? null,
              skip: skipTeamAndSourceRequirement,
            }
          : null,
        assignee: changed.includes('assignedTo') ? (next.assignedTo as string | null) : null,
        createdBy: changed.includes('createdBy') ? (next.createdBy as string) : null,
      });

      if (!changed.length) return { lead: toLead(current, await this.auditLogs.leadHistory(em, accountId, id)), written: false };

      const changes = Object.fromEntries(changed.map((f) => [f, { from: auditValue(current[f]), to: auditValue(next[f]) }]));
      const values: Record<string, unknown> = Object.fromEntries(changed.map((f) => [f, next[f]]));
      if (changed.includes('email')) values.emailKey = duplicateKey(next.email as string | null);
      values.updatedBy = actor.email;
      values.updatedAt = new Date();
      await this.repo.update(em, accountId, id, values as LeadValues);
      const updated = Object.assign(new LeadEntity(), current, values);

      const events: LeadChangeEvent[] = [{ event: 'lead_updated', data: { changes }, changes }];
      if (changed.includes('assignedTo')) {
        events.push({
          event: 'lead_assigned',
          data: changes.assignedTo as Record<string, unknown>,
          changes: { assignedTo: changes.assignedTo },
        });
      }
      if (changed.includes('archived')) {
        const archivedChange = { archived: changes.archived };
        events.push({
          event: updated.archived ? 'lead_archived' : 'lead_unarchived',
          data: { changes: archivedChange },
          changes: archivedChange,
        });
      }
      await this.recordEvents(em, ctx, updated, events);
      return { lead: toLead(updated, await this.auditLogs.leadHistory(em, accountId, id)), written: true };
    });
    if (result.written) this.recorded(ctx);
    return result.lead;
  }

  /** POST/DELETE /leads/{id}/archive. Setting the state the lead already has changes and records nothing. */
  async setArchived(ctx: LeadRequestContext, id: number, archived: boolean): Promise<Lead> {
    const { accountId, actor } = ctx;
    const result = await this.tx.run(async (em) => {
      const current = await this.repo.findById(em, accountId, id, { lock: true });
      if (!current) throw ApiError.notFound('Lead');
      ctx.concerns(id);
      if (current.archived === archived)
        return { lead: toLead(current, await this.auditLogs.leadHistory(em, accountId, id)), written: false };
      const values = { archived, updatedBy: actor.email, updatedAt: new Date() };
      await this.repo.update(em, accountId, id, values);
      const updated = Object.assign(new LeadEntity(), current, values);
      const changes = { archived: { from: !archived, to: archived } };
      await this.recordEvents(em, ctx, updated, [{ event: archived ? 'lead_archived' : 'lead_unarchived', data: { changes }, changes }]);
      return { lead: toLead(updated, await this.auditLogs.leadHistory(em, accountId, id)), written: true };
    });
    if (result.written) this.recorded(ctx);
    return result.lead;
  }

  /** DELETE /leads/{id}: a hard delete. The lead's audit entries stay (GET /audit-logs?leadId=). */
  async remove(ctx: LeadRequestContext, id: number): Promise<Lead> {
    const { accountId } = ctx;
    const lead = await this.tx.run(async (em) => {
      const current = await this.repo.findById(em, accountId, id, { lock: true });
      if (!current) throw ApiError.notFound('Lead');
      ctx.concerns(id);
      const history = await this.auditLogs.leadHistory(em, accountId, id);
      await this.repo.delete(em, accountId, id);
      const entries = await this.recordEvents(em, ctx, current, [{ event: 'lead_deleted', data: { lead: toLeadListItem(current) } }]);
      return toLead(current, [...history, ...(entries as AuditLog[])]);
    });
    this.recorded(ctx);
    return lead;
  }

  /**
   * The events of a change to an existing lead, in its transaction: each one's audit entry and its
   * webhook event (`{lead, changes?}`, `lead` as it is after the change), so an event exists exactly
   * when its change does. (A create's are written by LeadsRepository.create, in its one statement.)
   */
  private async recordEvents(em: EntityManager, ctx: LeadRequestContext, lead: LeadEntity, events: LeadChangeEvent[]): Promise<AuditLog[]> {
    const entries = await this.audit.writeInTransaction(
      em,
      events.map((e) => this.audit.entry(ctx.meta, { event: e.event, statusCode: 200, leadId: lead.id, data: e.data })),
    );
    const answered = toLeadListItem(lead);
    await this.outbox.enqueue(
      em,
      ctx.accountId,
      events.map((e) => ({
        eventId: newEventId(),
        type: webhookEventOf(e.event),
        leadId: lead.id,
        data: e.changes ? { lead: answered, changes: e.changes } : { lead: answered },
      })),
    );
    return entries;
  }

  /** Checks the lead rules for `subject` against the facts of the database (no query when no rule applies). */
  private async checkRules(em: EntityManager, ctx: LeadRequestContext, subject: LeadRuleSubject): Promise<void> {
    const q = leadQuestion(subject, ctx.actor.email);
    if (q) assertLeadRules(q, await this.repo.leadFacts(em, ctx.accountId, q));
  }
}
