import { WebhookAttemptDto, WebhookDeliveryDto, WebhookResponseDto } from './dto/webhook.dto';
import { WebhookAttempt } from './entities/webhook-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { Webhook } from './entities/webhook.entity';
import type { WebhookEventType } from './webhook-events';

export function toWebhookResponse(w: Webhook): WebhookResponseDto {
  return {
    id: w.id,
    accountId: String(w.accountId),
    url: w.url,
    events: w.events as WebhookEventType[],
    description: w.description,
    active: w.active,
    consecutiveFailures: w.consecutiveFailures,
    failingSince: w.failingSince ? w.failingSince.toISOString() : null,
    pausedUntil: w.pausedUntil ? w.pausedUntil.toISOString() : null,
    createdBy: w.createdBy,
    updatedBy: w.updatedBy,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

function toAttempt(a: WebhookAttempt): WebhookAttemptDto {
  return { attempt: a.attempt, at: a.createdAt.toISOString(), statusCode: a.statusCode, error: a.error, durationMs: a.durationMs };
}

/** A delivery as the log lists it (ids are bigints, which `pg` reads as strings). */
export function toDeliveryResponse(d: WebhookDelivery, attempts: WebhookAttempt[]): WebhookDeliveryDto {
  return {
    id: Number(d.id),
    eventId: d.eventId,
    eventType: d.eventType,
    leadId: d.leadId,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    durationMs: d.lastDurationMs,
    nextAttemptAt: d.nextAttemptAt ? d.nextAttemptAt.toISOString() : null,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    attemptLog: attempts.map(toAttempt),
  };
}
