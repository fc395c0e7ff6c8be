import { Account } from '../accounts/entities/account.entity';
import { ApiKey } from '../api-keys/entities/api-key.entity';
import { AuditLog } from '../audit/entities/audit-log.entity';
import { RateLimitBucket } from '../common/rate-limit/entities/rate-limit-bucket.entity';
import { IdempotencyKey } from '../idempotency/entities/idempotency-key.entity';
import { LeadSource } from '../lead-sources/entities/lead-source.entity';
import { Lead } from '../leads/entities/lead.entity';
import { LeadRotation } from '../rotations/entities/lead-rotation.entity';
import { TeamMember } from '../teams/entities/team-member.entity';
import { Team } from '../teams/entities/team.entity';
import { Membership } from '../users/entities/membership.entity';
import { WebhookAttempt } from '../webhooks/entities/webhook-attempt.entity';
import { WebhookDelivery } from '../webhooks/entities/webhook-delivery.entity';
import { Webhook } from '../webhooks/entities/webhook.entity';
import { User } from '../users/entities/user.entity';

export const ENTITIES = [
  Account,
  User,
  Membership,
  ApiKey,
  Team,
  TeamMember,
  LeadSource,
  LeadRotation,
  Lead,
  AuditLog,
  IdempotencyKey,
  RateLimitBucket,
  Webhook,
  WebhookDelivery,
  WebhookAttempt,
];
