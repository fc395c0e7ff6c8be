import { EntityManager } from 'typeorm';
import { AuditLogsRepository } from '../audit/audit-logs.repository';
import { AuditEntryInput, AuditService, RequestMeta } from '../audit/audit.service';
import { ApiError } from '../common/errors/api-error';
import { TransactionService } from '../database/transaction.service';
import { LeadInput, UpdateLeadInput } from './dto/lead-input.dto';
import { Lead as LeadEntity } from './entities/lead.entity';
import { LeadRequestContext } from './lead-request';
import { LeadFacts, SOURCE_REQUIRED, TEAM_REQUIRED } from './lead-rules';
import { explicitAssignment, LeadRouting } from '../routing/routing-policy';
import type { RoutingService } from '../routing/routing.service';
import type { WebhookOutboxRepository } from '../webhooks/webhook-outbox.repository';
import { CreatedLead, CreateRows, LeadRoute, LeadRulesCheck, LeadsRepository } from './leads.repository';
import { LeadsService } from './leads.service';

const em = { marker: 'em' } as unknown as EntityManager;
/** Called by the fake repository when it writes a lead (after the check passed). */
const writesLead = jest.fn();
const NO_FACTS: LeadFacts = {
  hasActiveTeams: false,
  teamExists: true,
  teamHasSources: false,
  sourceExists: true,
  sourceTeamId: null,
  assigneeActive: false,
  createdByMember: false,
};
/** The question about teams and sources only. */
const teams = (q: { activeTeams: boolean; teamId: number | null; teamSources: boolean; leadSourceId: number | null }) => ({
  ...q,
  assignee: null,
  createdBy: null,
});
const meta: RequestMeta = { method: 'POST', path: '/leads', headers: {}, ip: '::1', user: 'me@example.com', apiKey: null, accountId: 7 };

/** The facts the fake repository's database reports to a create's rules. */
let dbFacts: LeadFacts;
/** Called by the fake repository with the question a create's rules ask. */
const asked = jest.fn();

/** What LeadsRepository.create answers when the rotation picks `email` at `position` (or nobody). */
function written(email: string | null, position: number | null = 0) {
  // As the repository does: the rules decide on the facts first, then the routing, then the writes.
  return async ({ lead, entry }: CreateRows, rules: LeadRulesCheck | null, route: LeadRoute | null): Promise<CreatedLead> => {
    if (rules) {
      asked(rules.question);
      rules.decide(dbFacts);
    }
    const data = { ...(entry.data as Record<string, unknown>), id: 9 };
    let assignedTo = lead.assignedTo;
    if (route) {
      routing.routeNewLeads.mockResolvedValueOnce([routedTo(email, position)]);
      const [routed] = await route.pick(em, 1);
      assignedTo = routed.assignedTo;
      Object.assign(data, { assignedTo, assignment: routed.assignment });
    }
    writesLead(lead);
    return {
      lead: Object.assign(new LeadEntity(), lead, { id: 9, assignedTo }),
      entry: { ...entry, id: 100, leadId: 9, data } as CreatedLead['entry'],
    };
  };
}

const routing = { routeNewLeads: jest.fn() };

/** What RoutingService.routeNewLead answers when the rotation 42 picks `email` at `position` (or nobody). */
function routedTo(email: string | null, position: number | null): LeadRouting {
  return {
    assignedTo: email,
    assignment: {
      method: email ? 'rotation' : 'none',
      rotationId: 42,
      rotationName: 'default',
      reason: email ? 'default_rotation' : 'no_eligible_member',
      skipped: [],
    },
    moved: email ? { id: 42, position: (position ?? 0) + 1, state: { cycle: null, day: null, counts: {} } } : null,
  };
}

function existing(values: Partial<LeadEntity> = {}): LeadEntity {
  const at = new Date('2026-01-01T00:00:00.000Z');
  return Object.assign(new LeadEntity(), {
    id: 9,
    accountId: 7,
    teamId: null,
    leadSourceId: null,
    applicationId: null,
    firstName: 'Ada',
    lastName: 'Lovelace',
    imgSrc: null,
    email: null,
    phone: null,
    company: null,
    jobTitle: null,
    branch: null,
    source: null,
    position: null,
    location: null,
    productsServicesSold: null,
    numberOfEmployees: null,
    currentPaymentProcessor: null,
    monthlyTransactionVolume: null,
    interestedInSwitching: null,
    processStage: null,
    buyingRole: null,
    assignedTo: null,
    notes: null,
    lastContacted: null,
    archived: false,
    createdBy: 'me@example.com',
    updatedBy: 'me@example.com',
    createdAt: at,
    updatedAt: at,
    ...values,
  });
}

describe('LeadsService', () => {
  let repo: jest.Mocked<Pick<LeadsRepository, 'leadFacts' | 'create' | 'findById' | 'update' | 'delete'>>;
  let audit: { entry: jest.Mock; writeInTransaction: jest.Mock };
  let auditLogs: jest.Mocked<Pick<AuditLogsRepository, 'leadHistory'>>;
  let outbox: { enqueue: jest.Mock };
  let service: LeadsService;
  let ctx: LeadRequestContext & { concerns: jest.Mock; recorded: jest.Mock };

  beforeEach(() => {
    writesLead.mockClear();
    routing.routeNewLeads.mockReset();
    asked.mockClear();
    dbFacts = NO_FACTS;
    repo = {
      leadFacts: jest.fn().mockResolvedValue(NO_FACTS),
      create: jest.fn(written(null, null)),
      findById: jest.fn().mockResolvedValue(existing()),
      update: jest.fn().mockResolvedValue(undefined),
      delete: jest.fn().mockResolvedValue(undefined),
    };
    audit = {
      entry: jest.fn((m: RequestMeta, fields: { event: string; statusCode: number; leadId: number; data: unknown }) => ({
        accountId: m.accountId,
        event: fields.event,
        user: m.user,
        apiKey: m.apiKey,
        data: JSON.parse(JSON.stringify(fields.data)),
        created: new Date('2026-02-02T00:00:00.000Z'),
        requestMethod: m.method,
        requestPath: m.path,
        requestHeaders: m.headers,
        requestIpAddress: m.ip,
        statusCode: fields.statusCode,
        leadId: fields.leadId,
      })),
      writeInTransaction: jest.fn((_em: EntityManager, entries: AuditEntryInput[]) =>
        Promise.resolve(entries.map((e, i) => ({ ...e, id: 100 + i }))),
      ),
    };
    auditLogs = { leadHistory: jest.fn().mockResolvedValue([]) };
    outbox = { enqueue: jest.fn().mockResolvedValue(undefined) };
    const tx = {
      run: jest.fn((work: (m: EntityManager) => Promise<unknown>) => work(em)),
      onRollback: jest.fn(),
      manager: em,
    } as unknown as TransactionService;
    service = new LeadsService(
      tx,
      repo as unknown as LeadsRepository,
      audit as unknown as AuditService,
      auditLogs as unknown as AuditLogsRepository,
      routing as unknown as RoutingService,
      outbox as unknown as WebhookOutboxRepository,
    );
    ctx = {
      accountId: 7,
      duplicateLeadPolicy: 'allow',
      actor: { userId: 1, email: 'me@example.com', apiKeyId: null },
      meta,
      concerns: jest.fn(),
      recorded: jest.fn(),
    };
  });

  const input = (values: Partial<LeadInput> = {}) => Object.assign(new LeadInput(), { firstName: 'Ada', lastName: 'Lovelace', ...values });
  const rejection = (status: number, body: unknown) => expect.objectContaining({ status, response: body });

  describe('create', () => {
    it('asks nothing about teams when the flag is set and no ids are given', async () => {
      await expect(service.create(ctx, input(), true)).resolves.toMatchObject({ lead: { id: 9 }, duplicateOf: null });
      expect(asked).not.toHaveBeenCalled();
    });

    it('answers the seed error when the account has active teams and no teamId is given', async () => {
      dbFacts = { ...NO_FACTS, hasActiveTeams: true };
      await expect(service.create(ctx, input(), false)).rejects.toEqual(rejection(400, { error: TEAM_REQUIRED }));
      expect(asked).toHaveBeenCalledWith(teams({ activeTeams: true, teamId: null, teamSources: false, leadSourceId: null }));
      expect(writesLead).not.toHaveBeenCalled();
    });

    it('answers the seed error when the team has lead sources and no leadSourceId is given', async () => {
      dbFacts = { ...NO_FACTS, teamHasSources: true };
      await expect(service.create(ctx, input({ teamId: 3 }), false)).rejects.toEqual(rejection(400, { error: SOURCE_REQUIRED }));
      expect(asked).toHaveBeenCalledWith(teams({ activeTeams: false, teamId: 3, teamSources: true, leadSourceId: null }));
    });

    it('names the field whose id is not the account’s, team first', async () => {
      dbFacts = { ...NO_FACTS, teamExists: false, sourceExists: false };
      await expect(service.create(ctx, input({ teamId: 3, leadSourceId: 4 }), false)).rejects.toEqual(
        rejection(400, {
          error: 'teamId does not refer to a team of this account',
          details: [{ field: 'teamId', message: 'does not refer to a team of this account' }],
        }),
      );
      dbFacts = { ...NO_FACTS, sourceExists: false };
      await expect(service.create(ctx, input({ teamId: 3, leadSourceId: 4 }), false)).rejects.toBeInstanceOf(ApiError);
      dbFacts = { ...NO_FACTS, sourceTeamId: 8 };
      await expect(service.create(ctx, input({ teamId: 3, leadSourceId: 4 }), false)).rejects.toEqual(
        rejection(400, {
          error: 'leadSourceId belongs to a different team than the lead',
          details: [{ field: 'leadSourceId', message: 'belongs to a different team than the lead' }],
        }),
      );
    });

    it('decides the rules first, then writes the lead, its entry and the rotation advance with one repository call', async () => {
      repo.create.mockImplementation(written('b@x.io', 1));
      const { lead } = await service.create(ctx, input({ teamId: 3, leadSourceId: 4 }), false);
      expect(repo.create).toHaveBeenCalledTimes(1);
      expect(repo.create).toHaveBeenCalledWith(
        {
          lead: expect.objectContaining({
            accountId: 7,
            teamId: 3,
            leadSourceId: 4,
            assignedTo: null,
            createdBy: 'me@example.com',
            updatedBy: 'me@example.com',
          }),
          entry: expect.objectContaining({
            event: 'lead_created',
            statusCode: 201,
            data: expect.not.objectContaining({ assignment: expect.anything() }),
          }),
          // The webhook event carries the lead unmasked and uncut, and a fresh event id.
          event: { eventId: expect.stringMatching(/^evt_[0-9a-f]{32}$/), lead: expect.objectContaining({ teamId: 3, leadSourceId: 4 }) },
        },
        expect.objectContaining({ decide: expect.any(Function) }),
        expect.objectContaining({ key: '7:3', pick: expect.any(Function) }),
      );
      expect(routing.routeNewLeads).toHaveBeenCalledWith(em, 7, 3, expect.any(Date), 1, true);
      expect(asked.mock.invocationCallOrder[0]).toBeLessThan(writesLead.mock.invocationCallOrder[0]);
      expect(lead).toMatchObject({
        id: 9,
        accountId: '7',
        assignedTo: 'b@x.io',
        archived: false,
        assignment: routedTo('b@x.io', 1).assignment,
        auditLog: [
          expect.objectContaining({
            id: 100,
            event: 'lead_created',
            account_id: '7',
            data: expect.objectContaining({ id: 9, assignedTo: 'b@x.io', assignment: routedTo('b@x.io', 1).assignment }),
          }),
        ],
      });
      expect(ctx.concerns).toHaveBeenCalledWith(9);
      expect(ctx.recorded).toHaveBeenCalledTimes(1);
    });

    it('records a rotation that had nobody eligible, and leaves the lead unassigned', async () => {
      repo.create.mockImplementation(written(null, null));
      const { lead } = await service.create(ctx, input(), true);
      // Unset is absent on the wire: undefined is left out of JSON.
      expect(lead.assignedTo).toBeUndefined();
      expect(lead.assignment).toEqual(routedTo(null, null).assignment);
      expect(lead.auditLog[0].data).toMatchObject({ assignment: routedTo(null, null).assignment });
    });

    it('checks a given assignee (lower-cased) and does not touch the rotation', async () => {
      dbFacts = { ...NO_FACTS, assigneeActive: true };
      const { lead } = await service.create(ctx, input({ assignedTo: 'Rep@X.io' }), true);
      expect(asked).toHaveBeenCalledWith({
        ...teams({ activeTeams: false, teamId: null, teamSources: false, leadSourceId: null }),
        assignee: 'rep@x.io',
      });
      expect(repo.create).toHaveBeenCalledWith(
        expect.objectContaining({
          lead: expect.objectContaining({ assignedTo: 'rep@x.io' }),
          entry: expect.objectContaining({ data: expect.objectContaining({ assignment: explicitAssignment() }) }),
          event: expect.objectContaining({ lead: expect.objectContaining({ assignedTo: 'rep@x.io', assignment: explicitAssignment() }) }),
        }),
        expect.objectContaining({ decide: expect.any(Function) }),
        null,
      );
      expect(routing.routeNewLeads).not.toHaveBeenCalled();
      expect(lead.assignedTo).toBe('rep@x.io');
      expect(lead.assignment).toEqual(explicitAssignment());
    });

    it('refuses an inactive assignee before looking at createdBy', async () => {
      dbFacts = { ...NO_FACTS, assigneeActive: false, createdByMember: false };
      await expect(service.create(ctx, input({ assignedTo: 'rep@x.io', createdBy: 'other@x.io' }), true)).rejects.toEqual(
        rejection(400, expect.objectContaining({ error: 'assignedTo is not an active member of this account' })),
      );
      expect(asked).toHaveBeenCalledTimes(1);
      expect(asked).toHaveBeenCalledWith(expect.objectContaining({ assignee: 'rep@x.io', createdBy: 'other@x.io' }));
    });

    it('accepts any user of the account as createdBy and refuses strangers', async () => {
      dbFacts = { ...NO_FACTS, createdByMember: true };
      await expect(service.create(ctx, input({ createdBy: 'old@x.io' }), true)).resolves.toMatchObject({ lead: { createdBy: 'old@x.io' } });
      expect(asked).toHaveBeenLastCalledWith(expect.objectContaining({ assignee: null, createdBy: 'old@x.io' }));
      dbFacts = NO_FACTS;
      await expect(service.create(ctx, input({ createdBy: 'new@x.io' }), true)).rejects.toEqual(
        rejection(400, expect.objectContaining({ error: 'createdBy is not a user of this account' })),
      );
    });

    it('does not mark the request recorded when the transaction fails', async () => {
      repo.create.mockRejectedValueOnce(new Error('boom'));
      await expect(service.create(ctx, input(), true)).rejects.toThrow('boom');
      expect(ctx.recorded).not.toHaveBeenCalled();
    });
  });

  describe('update', () => {
    const patch = (values: Partial<UpdateLeadInput>) => Object.assign(new UpdateLeadInput(), values);

    it('answers 404 for a lead outside the account and writes nothing', async () => {
      repo.findById.mockResolvedValue(null);
      await expect(service.update(ctx, 9, patch({ company: 'X' }), false)).rejects.toEqual(
        rejection(404, { error: 'Not Found', message: 'Lead not found' }),
      );
      expect(repo.findById).toHaveBeenCalledWith(em, 7, 9, { lock: true });
      expect(repo.update).not.toHaveBeenCalled();
      expect(ctx.concerns).not.toHaveBeenCalled();
    });

    it('writes nothing when nothing changes', async () => {
      repo.findById.mockResolvedValue(existing({ company: 'X', lastContacted: new Date('2026-01-01T00:00:00.000Z') }));
      await expect(
        service.update(ctx, 9, patch({ company: 'X', lastContacted: '2026-01-01T01:00:00+01:00' }), false),
      ).resolves.toMatchObject({ company: 'X' });
      expect(repo.update).not.toHaveBeenCalled();
      expect(audit.writeInTransaction).not.toHaveBeenCalled();
      expect(outbox.enqueue).not.toHaveBeenCalled();
      expect(ctx.recorded).not.toHaveBeenCalled();
      expect(ctx.concerns).toHaveBeenCalledWith(9);
    });

    it('records lead_updated with from/to and lead_assigned when the assignee changes', async () => {
      repo.findById.mockResolvedValue(existing({ assignedTo: 'a@x.io' }));
      repo.leadFacts.mockResolvedValue({ ...NO_FACTS, assigneeActive: true });
      await service.update(ctx, 9, patch({ assignedTo: 'B@x.io', company: 'X' }), false);
      expect(repo.update).toHaveBeenCalledWith(
        em,
        7,
        9,
        expect.objectContaining({ assignedTo: 'b@x.io', company: 'X', updatedBy: 'me@example.com' }),
      );
      expect(audit.writeInTransaction.mock.calls[0][1].map((e: AuditEntryInput) => [e.event, e.statusCode, e.data])).toEqual([
        ['lead_updated', 200, { changes: { company: { from: null, to: 'X' }, assignedTo: { from: 'a@x.io', to: 'b@x.io' } } }],
        ['lead_assigned', 200, { from: 'a@x.io', to: 'b@x.io' }],
      ]);
      // The same events go to the outbox, in the same transaction, with the lead as it is after the change.
      const lead = expect.objectContaining({ id: 9, assignedTo: 'b@x.io', company: 'X' });
      expect(outbox.enqueue).toHaveBeenCalledWith(em, 7, [
        {
          eventId: expect.stringMatching(/^evt_/),
          type: 'lead.updated',
          leadId: 9,
          data: { lead, changes: { company: { from: null, to: 'X' }, assignedTo: { from: 'a@x.io', to: 'b@x.io' } } },
        },
        {
          eventId: expect.stringMatching(/^evt_/),
          type: 'lead.assigned',
          leadId: 9,
          data: { lead, changes: { assignedTo: { from: 'a@x.io', to: 'b@x.io' } } },
        },
      ]);
      // No team field in the body: only the new assignee is asked about.
      expect(repo.leadFacts).toHaveBeenCalledWith(em, 7, {
        ...teams({ activeTeams: false, teamId: null, teamSources: false, leadSourceId: null }),
        assignee: 'b@x.io',
      });
      expect(ctx.recorded).toHaveBeenCalledTimes(1);
    });

    it('checks the team rules on the resulting lead only when the body names a team field', async () => {
      repo.findById.mockResolvedValue(existing({ teamId: 3, leadSourceId: 4 }));
      await service.update(ctx, 9, patch({ teamId: 5 }), false);
      expect(repo.leadFacts).toHaveBeenCalledWith(em, 7, teams({ activeTeams: false, teamId: 5, teamSources: false, leadSourceId: 4 }));
      repo.leadFacts.mockClear();
      await service.update(ctx, 9, patch({ notes: 'n' }), false);
      expect(repo.leadFacts).not.toHaveBeenCalled();
    });
  });

  describe('archive and delete', () => {
    it('changes and records nothing when the lead already has the state', async () => {
      repo.findById.mockResolvedValue(existing({ archived: true }));
      await expect(service.setArchived(ctx, 9, true)).resolves.toMatchObject({ archived: true });
      expect(repo.update).not.toHaveBeenCalled();
      expect(ctx.recorded).not.toHaveBeenCalled();
    });

    it('archives with a lead_archived entry', async () => {
      await expect(service.setArchived(ctx, 9, true)).resolves.toMatchObject({ archived: true });
      expect(repo.update).toHaveBeenCalledWith(em, 7, 9, expect.objectContaining({ archived: true }));
      expect(audit.writeInTransaction.mock.calls[0][1].map((e: AuditEntryInput) => e.event)).toEqual(['lead_archived']);
      expect(outbox.enqueue).toHaveBeenCalledWith(em, 7, [
        expect.objectContaining({
          type: 'lead.archived',
          leadId: 9,
          data: expect.objectContaining({ changes: { archived: { from: false, to: true } } }),
        }),
      ]);
    });

    it('deletes with a lead_deleted entry holding the lead, and answers the history with it', async () => {
      auditLogs.leadHistory.mockResolvedValue([]);
      const lead = await service.remove(ctx, 9);
      expect(repo.delete).toHaveBeenCalledWith(em, 7, 9);
      expect(lead.auditLog!.map((e) => e.event)).toEqual(['lead_deleted']);
      expect(lead.auditLog![0].data).toMatchObject({ lead: { id: 9, firstName: 'Ada' } });
      expect(ctx.recorded).toHaveBeenCalledTimes(1);
    });
  });
});
