import { CallHandler, ExecutionContext, HttpCode } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of, throwError } from 'rxjs';
import { EntityManager } from 'typeorm';
import { ApiRequest } from '../auth/principal';
import { AuditEvent, AuditWrite } from '../common/decorators/audit-event.decorator';
import { TransactionService } from '../database/transaction.service';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditInterceptor } from './audit.interceptor';
import { AuditEntryInput, AuditService } from './audit.service';

class Routes {
  @AuditEvent('team_created')
  create() {}
  list() {}
  @HttpCode(200)
  @AuditWrite('batched')
  @AuditEvent('login')
  login() {}
  @AuditWrite('by-use-case')
  ownEntries() {}
}

/** A transaction that commits when its work resolves and records what was written inside it. */
function fakeTx() {
  const em = { name: 'transaction' } as unknown as EntityManager;
  const state = { open: false, committed: [] as AuditEntryInput[], rolledBack: 0, failCommit: false };
  let undos: (() => void)[] = [];
  const tx = {
    run: async <T>(work: (m: EntityManager) => Promise<T>): Promise<T> => {
      state.open = true;
      undos = [];
      try {
        const result = await work(em);
        if (state.failCommit) throw new Error('commit failed');
        return result;
      } catch (e) {
        state.rolledBack++;
        undos.forEach((undo) => undo());
        throw e;
      } finally {
        state.open = false;
      }
    },
    onRollback: (undo: () => void) => {
      if (state.open) undos.push(undo);
    },
  } as unknown as TransactionService;
  return { tx, em, state };
}

function setup() {
  const { tx, em, state } = fakeTx();
  const queued: AuditEntryInput[] = [];
  const inTransaction: { em: EntityManager; entries: AuditEntryInput[]; open: boolean }[] = [];
  const audit = new AuditService({} as TransactionService, {} as AuditLogsRepository);
  jest.spyOn(audit, 'enqueue').mockImplementation((e) => void queued.push(e));
  jest.spyOn(audit, 'writeInTransaction').mockImplementation(async (m, entries) => {
    inTransaction.push({ em: m, entries, open: state.open });
    return [];
  });
  const interceptor = new AuditInterceptor(audit, tx, new Reflector());
  return { interceptor, audit, em, state, queued, inTransaction };
}

function context(method: string, handler: keyof Routes, req: Partial<ApiRequest> = {}) {
  const request = {
    method,
    url: '/teams',
    originalUrl: '/teams',
    headers: {},
    params: {},
    query: {},
    body: { name: 'T' },
    ...req,
  } as ApiRequest;
  const ctx = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
  } as unknown as ExecutionContext;
  return { ctx, request };
}

const handled = (value: unknown): CallHandler => ({ handle: () => of(value) });

describe('AuditInterceptor', () => {
  afterEach(() => jest.restoreAllMocks());

  it("writes a write request's entry inside the transaction the handler ran in", async () => {
    const { interceptor, em, queued, inTransaction } = setup();
    const { ctx, request } = context('POST', 'create');
    await expect(lastValueFrom(interceptor.intercept(ctx, handled({ id: 1 })))).resolves.toEqual({ id: 1 });
    expect(queued).toEqual([]);
    expect(inTransaction).toHaveLength(1);
    expect(inTransaction[0].em).toBe(em);
    expect(inTransaction[0].open).toBe(true);
    expect(inTransaction[0].entries[0]).toMatchObject({ event: 'team_created', statusCode: 201, data: { body: { name: 'T' } } });
    expect(request.audit!.recorded).toBe(true);
  });

  it('fails the request and leaves it unrecorded (for the exception filter) when the entry cannot be written', async () => {
    const { interceptor, audit, state } = setup();
    jest.mocked(audit.writeInTransaction).mockRejectedValueOnce(new Error('insert failed'));
    const { ctx, request } = context('PATCH', 'create');
    await expect(lastValueFrom(interceptor.intercept(ctx, handled({ id: 1 })))).rejects.toThrow('insert failed');
    expect(state.rolledBack).toBe(1);
    expect(request.audit!.recorded).toBe(false);
  });

  it('leaves the request unrecorded when its entry was written but the transaction then failed to commit', async () => {
    const { interceptor, inTransaction, state } = setup();
    state.failCommit = true;
    const { ctx, request } = context('POST', 'create');
    await expect(lastValueFrom(interceptor.intercept(ctx, handled({ id: 1 })))).rejects.toThrow('commit failed');
    expect(inTransaction).toHaveLength(1);
    expect(request.audit!.recorded).toBe(false);
  });

  it('writes nothing when the handler fails (the exception filter records the failure)', async () => {
    const { interceptor, queued, inTransaction, state } = setup();
    const { ctx, request } = context('DELETE', 'create');
    const failing: CallHandler = { handle: () => throwError(() => new Error('boom')) };
    await expect(lastValueFrom(interceptor.intercept(ctx, failing))).rejects.toThrow('boom');
    expect([queued, inTransaction]).toEqual([[], []]);
    expect(state.rolledBack).toBe(1);
    expect(request.audit!.recorded).toBe(false);
  });

  it('queues the entries of reads and of routes that change nothing, with the status from @HttpCode', async () => {
    const { interceptor, queued, inTransaction } = setup();
    await lastValueFrom(interceptor.intercept(context('GET', 'list').ctx, handled([])));
    await lastValueFrom(interceptor.intercept(context('POST', 'login').ctx, handled({ token: 't' })));
    expect(inTransaction).toEqual([]);
    expect(queued.map((e) => [e.event, e.statusCode, e.requestMethod])).toEqual([
      ['api_request', 200, 'GET'],
      ['login', 200, 'POST'],
    ]);
  });

  it('leaves the entry to a use case that wrote its own, and queues one for a request that wrote none', async () => {
    const { interceptor, queued, inTransaction } = setup();
    const own = context('POST', 'ownEntries');
    const recording: CallHandler = { handle: () => ((own.request.audit!.recorded = true), of({ id: 2 })) };
    await lastValueFrom(interceptor.intercept(own.ctx, recording));
    await lastValueFrom(interceptor.intercept(context('PATCH', 'ownEntries').ctx, handled({ id: 3 })));
    expect(inTransaction).toEqual([]);
    expect(queued.map((e) => [e.event, e.requestMethod])).toEqual([['api_request', 'PATCH']]);
  });
});
