import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, tap } from 'rxjs';
import { ApiRequest } from '../auth/principal';
import { AUDIT_EVENT } from '../common/decorators/audit-event.decorator';
import { AuditService, isUnaudited, requestMeta } from './audit.service';

/**
 * Records every request that reaches a handler, once. A use case that writes its own entry inside
 * its transaction (lead events) marks `req.audit.recorded`; failures are recorded by the exception
 * filter, which also sees requests that guards and pipes rejected before any interceptor ran.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<ApiRequest>();
    req.audit ??= { recorded: false };
    const event =
      this.reflector.getAllAndOverride<string>(AUDIT_EVENT, [context.getHandler(), context.getClass()]) ??
      'api_request';
    return next.handle().pipe(
      tap(() => {
        if (req.audit!.recorded || isUnaudited(req.path)) return;
        req.audit!.recorded = true;
        // Nest sets the response status after the interceptors have run: take it from @HttpCode.
        const statusCode =
          this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? (req.method === 'POST' ? 201 : 200);
        this.audit.enqueue(
          this.audit.entry(requestMeta(req), {
            event: req.audit!.event ?? event,
            statusCode,
            leadId: req.audit!.leadId ?? null,
            data: req.audit!.data ?? { params: req.params, query: req.query, body: req.body },
          }),
        );
      }),
    );
  }
}
