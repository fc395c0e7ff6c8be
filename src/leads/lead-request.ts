import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { requestMeta, RequestMeta } from '../audit/audit.service';
import type { DuplicateLeadPolicy } from '../accounts/entities/account.entity';
import { Actor, actorOf, ApiRequest } from '../auth/principal';

/** What a lead use case needs from the request it serves. */
export interface LeadRequestContext {
  accountId: number;
  actor: Actor;
  /** The account's setting for POST /leads (§8). */
  duplicateLeadPolicy: DuplicateLeadPolicy;
  /** The audit view of the request, for entries written inside the use case's transaction. */
  meta: RequestMeta;
  /** The lead was found in the account: the request's audit entry names it. */
  concerns(leadId: number): void;
  /**
   * The request's audit entry was written with the use case, so the interceptor writes none; with
   * false, it was rolled back, so the exception filter records the failure.
   */
  recorded(written?: boolean): void;
}

/** The LeadRequestContext of an account-scoped lead route. */
export const LeadRequest = createParamDecorator((_: unknown, ctx: ExecutionContext): LeadRequestContext => {
  const req = ctx.switchToHttp().getRequest<ApiRequest>();
  if (!req.principal || !req.account) throw new Error('LeadRequest used on a route that is not account-scoped');
  let meta: RequestMeta | undefined;
  return {
    accountId: req.account.accountId,
    duplicateLeadPolicy: req.account.duplicateLeadPolicy,
    actor: actorOf(req.principal),
    // Built only by the use cases that write an entry in their transaction (reads never need it),
    // once per request (a batch writes many).
    get meta() {
      return (meta ??= requestMeta(req));
    },
    concerns: (leadId) => {
      req.audit = { ...(req.audit ?? { recorded: false }), leadId };
    },
    recorded: (written = true) => {
      req.audit = { ...(req.audit ?? {}), recorded: written };
    },
  };
});
