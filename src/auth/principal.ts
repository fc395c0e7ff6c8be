import type { FastifyRequest } from 'fastify';
import type { DuplicateLeadPolicy } from '../accounts/entities/account.entity';
import type { MembershipRole } from '../users/entities/membership.entity';
import type { AuditEventName } from '../audit/audit-events';
import type { Permission } from './permissions/permissions';

export { actorOf } from '../common/http/actor';
export type { Actor } from '../common/http/actor';

/** Who is calling: from the principal cache or the database (every revocation evicts it, docs/PRINCIPAL-CACHE.md). */
export interface Principal {
  kind: 'user' | 'apiKey';
  userId: number;
  email: string;
  name: string | null;
  isSuperAdmin: boolean;
  /** Set for key-based sessions. */
  apiKeyId: number | null;
  apiKeyAccountId: number | null;
  apiKeyPermissions: Permission[] | null;
  /** The bearer token and its expiry, echoed back by GET /auth/session. */
  token: string;
  expiresAt: Date;
  /** The caller's membership in the account named by x-account-id, loaded in the same query, with the account's settings a request needs. */
  membership: { accountId: number; role: MembershipRole; active: boolean; duplicateLeadPolicy: DuplicateLeadPolicy } | null;
}

/** The account a request acts in, resolved by the account guard. */
export interface AccountContext {
  accountId: number;
  role: MembershipRole;
  permissions: ReadonlySet<Permission>;
  duplicateLeadPolicy: DuplicateLeadPolicy;
}

/** The audit context of one request; `recorded` is set once its audit entry has been written. */
export interface RequestAudit {
  recorded: boolean;
  event?: AuditEventName;
  /** The account whose log gets the entry, for routes that name it in the path rather than in x-account-id. */
  accountId?: number;
  leadId?: number | null;
  data?: Record<string, unknown>;
}

export interface ApiRequest extends FastifyRequest {
  principal?: Principal;
  account?: AccountContext;
  audit?: RequestAudit;
}
