/** The events that make up a lead's history (its `auditLog`). */
export const LEAD_EVENTS = ['lead_created', 'lead_updated', 'lead_assigned', 'lead_archived', 'lead_unarchived', 'lead_deleted'] as const;

/**
 * Every event an audit entry can name: the closed set the document's `event` enums list. The
 * decorator, the request context and AuditService.entry take only these, so a new event fails to
 * compile until it is added here.
 */
export const AUDIT_EVENTS = [
  'api_request',
  'request_rejected',
  'request_failed',
  'idempotent_replay',
  'login',
  'account_created',
  'account_updated',
  'user_added',
  'user_updated',
  'user_removed',
  'api_key_created',
  'api_key_updated',
  'api_key_deleted',
  'team_created',
  'team_updated',
  'team_deleted',
  'lead_source_created',
  'lead_source_updated',
  'lead_source_deleted',
  'lead_rotation_created',
  'lead_rotation_updated',
  'lead_rotation_status_changed',
  'lead_rotation_next_user',
  'lead_rotation_deleted',
  'webhook_created',
  'webhook_updated',
  'webhook_deleted',
  'webhook_secret_rotated',
  'webhook_test_sent',
  'webhook_redelivered',
  ...LEAD_EVENTS,
] as const;

export type AuditEventName = (typeof AUDIT_EVENTS)[number];
