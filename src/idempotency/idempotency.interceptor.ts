import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { ApiRequest } from '../auth/principal';
import { IDEMPOTENCY_HEADER, IdempotencyService } from './idempotency.service';

const IDEMPOTENCY_REDACT = 'leads:idempotencyRedact';
/**
 * Response fields that are shown once and never stored for replay (a replay answers them as null),
 * e.g. the secret of a new API key.
 */
export const IdempotencyRedact = (...fields: string[]) => SetMetadata(IDEMPOTENCY_REDACT, fields);

/**
 * Applies `Idempotency-Key` to every authenticated POST (all creates and actions). The handler runs
 * inside the idempotency transaction, which the use case's own TransactionService.run joins.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<ApiRequest>();
    if (req.method !== 'POST' || !req.principal) return next.handle();
    const key = IdempotencyService.parseKey(req.headers[IDEMPOTENCY_HEADER]);
    if (key === null) return next.handle();
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? 201;
    const res = context.switchToHttp().getResponse<FastifyReply>();
    const redact = this.reflector.get<string[]>(IDEMPOTENCY_REDACT, context.getHandler()) ?? [];
    return from(this.idempotency.execute(req, res, key, status, () => lastValueFrom(next.handle(), { defaultValue: undefined }), redact));
  }
}
