import { createParamDecorator, ExecutionContext, HttpStatus } from '@nestjs/common';
import { requestMeta, RequestMeta } from '../audit/audit.service';
import { Actor, actorOf, ApiRequest } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { MAX_INT } from './dto/lead-fields';

/** What a lead use case needs from the request it serves. */
export interface LeadRequestContext {
  accountId: number;
  actor: Actor;
  /** The audit view of the request, for entries written inside the use case's transaction. */
  meta: RequestMeta;
  /** The lead was found in the account: the request's audit entry names it. */
  concerns(leadId: number): void;
  /** The request's audit entry was committed with the use case, so the interceptor writes none. */
  recorded(): void;
}

/** The LeadRequestContext of an account-scoped lead route. */
export const LeadRequest = createParamDecorator((_: unknown, ctx: ExecutionContext): LeadRequestContext => {
  const req = ctx.switchToHttp().getRequest<ApiRequest>();
  if (!req.principal || !req.account) throw new Error('LeadRequest used on a route that is not account-scoped');
  return {
    accountId: req.account.accountId,
    actor: actorOf(req.principal),
    meta: requestMeta(req),
    concerns: (leadId) => {
      req.audit = { ...(req.audit ?? { recorded: false }), leadId };
    },
    recorded: () => {
      req.audit = { ...(req.audit ?? {}), recorded: true };
    },
  };
});

/**
 * Parses a lead id path segment: a positive integer that fits the id column, else 400 in the shape
 * the other resources use for a malformed id. A well-formed id that is not the account's is a 404.
 */
export function parseLeadId(raw: unknown): number {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > MAX_INT) {
    const message = 'id must be a positive integer';
    throw new ApiError(HttpStatus.BAD_REQUEST, 'Validation failed', message, [{ field: 'id', message }]);
  }
  return Number(raw);
}

/**
 * The `{id}` of a lead route. A custom decorator rather than a pipe: the global validation pipe
 * would first turn "1e3" into 1000 and "abc" into NaN.
 */
export const LeadIdParam = createParamDecorator((_: unknown, ctx: ExecutionContext): number =>
  parseLeadId(ctx.switchToHttp().getRequest<ApiRequest>().params.id),
);
