import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, Observable, tap } from 'rxjs';
import { ApiRequest } from '../auth/principal';
import { routePathOf } from '../common/http/path-of';
import { AUDIT_EVENT, AUDIT_WRITE, AuditWriteMode, defaultAuditWriteMode } from '../common/decorators/audit-event.decorator';
import { TransactionService } from '../database/transaction.service';
import type { AuditEventName } from './audit-events';
import { AuditEntryInput, AuditService, isUnaudited, requestMeta } from './audit.service';

/**
 * Records every request that reaches a handler, once. The entry of a request that changes data is
 * written in the transaction of the change (the handler's own `TransactionService.run` joins it), so
 * a change never commits without its entry; a use case that writes its own entries (lead events)
 * marks `req.audit.recorded`. Failures are recorded by the exception filter, which also sees requests
 * that guards and pipes rejected before any interceptor ran.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly tx: TransactionService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<ApiRequest>();
    req.audit ??= { recorded: false };
    const targets = [context.getHandler(), context.getClass()];
    const mode = this.reflector.getAllAndOverride<AuditWriteMode>(AUDIT_WRITE, targets) ?? defaultAuditWriteMode(req.method);
    const entry = (): AuditEntryInput | null => {
      if (req.audit!.recorded || isUnaudited(routePathOf(req))) return null;
      // Nest sets the route's status before the interceptors run; a handler may answer another
      // success (a duplicate lead's 200). Without a response object (unit tests), the route's.
      const statusCode =
        context.switchToHttp().getResponse<{ statusCode?: number } | undefined>()?.statusCode ??
        this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ??
        (req.method === 'POST' ? 201 : 200);
      return this.audit.entry(requestMeta(req), {
        event: req.audit!.event ?? this.reflector.getAllAndOverride<AuditEventName>(AUDIT_EVENT, targets) ?? 'api_request',
        statusCode,
        leadId: req.audit!.leadId ?? null,
        accountId: req.audit!.accountId,
        data: req.audit!.data ?? { params: req.params, query: req.query, body: req.body ?? null },
      });
    };

    if (mode !== 'with-change') {
      return next.handle().pipe(
        tap(() => {
          const e = entry();
          if (!e) return;
          req.audit!.recorded = true;
          this.audit.enqueue(e);
        }),
      );
    }
    return from(
      (async () => {
        return this.tx.run(async (em) => {
          const value = await lastValueFrom(next.handle(), { defaultValue: undefined });
          const e = entry();
          if (e) {
            await this.audit.writeInTransaction(em, [e]);
            // Recorded while the entry stands: a rollback (this transaction's or the one it joined,
            // an Idempotency-Key's) leaves the failure to the exception filter.
            req.audit!.recorded = true;
            this.tx.onRollback(() => (req.audit!.recorded = false));
          }
          return value;
        });
      })(),
    );
  }
}
