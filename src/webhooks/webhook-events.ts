import { randomUUID } from 'node:crypto';
import { LEAD_EVENTS } from '../audit/audit-events';

/** The lead events a webhook may subscribe to (§9), one per lead audit event. */
export const WEBHOOK_EVENTS = [
  'lead.created',
  'lead.updated',
  'lead.assigned',
  'lead.archived',
  'lead.unarchived',
  'lead.deleted',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** The type of a test delivery (POST /webhooks/{id}/test); no webhook subscribes to it. */
export const PING_EVENT = 'ping';

/** The webhook event of a lead audit event (`lead_created` → `lead.created`). */
export function webhookEventOf(event: (typeof LEAD_EVENTS)[number]): WebhookEventType {
  return event.replace('_', '.') as WebhookEventType;
}

/** A new event id, `evt_` and 128 random bits. */
export function newEventId(): string {
  return `evt_${randomUUID().replace(/-/g, '')}`;
}
