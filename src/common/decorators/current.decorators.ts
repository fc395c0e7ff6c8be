import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AccountContext, ApiRequest, Principal } from '../../auth/principal';
import { Actor, actorOf } from '../http/actor';

/** The authenticated caller. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<ApiRequest>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a public route');
  return req.principal;
});

/** The caller as an actor (for createdBy/updatedBy and audit). */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<ApiRequest>();
  if (!req.principal) throw new Error('CurrentActor used on a public route');
  return actorOf(req.principal);
});

/** The account resolved by the account guard from x-account-id. */
export const CurrentAccount = createParamDecorator((_: unknown, ctx: ExecutionContext): AccountContext => {
  const req = ctx.switchToHttp().getRequest<ApiRequest>();
  if (!req.account) throw new Error('CurrentAccount used on a route that is not account-scoped');
  return req.account;
});

/** The account id alone: `@AccountId() accountId: number`. */
export const AccountId = createParamDecorator((_: unknown, ctx: ExecutionContext): number => {
  const req = ctx.switchToHttp().getRequest<ApiRequest>();
  if (!req.account) throw new Error('AccountId used on a route that is not account-scoped');
  return req.account.accountId;
});
