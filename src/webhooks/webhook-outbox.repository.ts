import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { boundTimestamp, dialectOf, isPostgres } from '../database/dialect';
import { preparedQuery } from '../database/prepared';
import { SqlParams } from '../database/rows';
import type { WebhookEventType } from './webhook-events';

/** A lead event to queue for the account's webhooks subscribed to its type. */
export interface OutboxEvent {
  eventId: string;
  type: WebhookEventType;
  leadId: number;
  /** The body's `data`: `{lead, changes?}`. */
  data: Record<string, unknown>;
}

const COLUMNS = 'account_id, webhook_id, event_id, event_type, lead_id, data, created_at, status, attempts, next_attempt_at, updated_at';

/** "webhook `alias` of the account is active and subscribed to `type`" (`type` is SQL: a quoted constant or a column). */
const subscribed = (alias: string, account: string, type: string) =>
  `${alias}.account_id = ${account} AND ${alias}.active AND strpos(${alias}.events, '"' || ${type} || '"') > 0`;

const ENQUEUE_PG = `INSERT INTO webhook_deliveries (${COLUMNS})
  SELECT $1::int, w.id, e.event_id, e.event_type, e.lead_id, e.data, $2::timestamptz, 'pending', 0, GREATEST($2::timestamptz, w.paused_until), $2::timestamptz
  FROM unnest($3::text[], $4::text[], $5::int[], $6::jsonb[]) WITH ORDINALITY AS e(event_id, event_type, lead_id, data, ord)
  JOIN webhooks w ON ${subscribed('w', '$1::int', 'e.event_type')}
  ORDER BY e.ord, w.id`;

const ENQUEUE_SQLITE = `INSERT INTO webhook_deliveries (${COLUMNS})
  SELECT ?, w.id, ?, ?, ?, ?, ?, 'pending', 0, max(?, coalesce(w.paused_until, '')), ?
  FROM webhooks w WHERE w.account_id = ? AND w.active AND instr(w.events, ?) > 0
  ORDER BY w.id`;

/**
 * The transactional outbox of lead events: the lead writes call it inside their transaction, so a
 * delivery row exists exactly when the change it reports commits. A delivery to a paused webhook is
 * due when the pause ends. Each statement selects the
 * account's active webhooks subscribed to the event, so an account without webhooks pays no extra
 * round trip on a create (the PostgreSQL create statement carries it as one more CTE) and one
 * statement that finds no row on a change.
 */
@Injectable()
export class WebhookOutboxRepository {
  /** Queues `events` (one change's events, in order) for every subscribed active webhook of the account. */
  async enqueue(em: EntityManager, accountId: number, events: OutboxEvent[]): Promise<void> {
    if (!events.length) return;
    const now = new Date();
    if (isPostgres(em)) {
      await preparedQuery(em, ENQUEUE_PG, [
        accountId,
        now,
        events.map((e) => e.eventId),
        events.map((e) => e.type),
        events.map((e) => e.leadId),
        events.map((e) => JSON.stringify(e.data)),
      ]);
      return;
    }
    const at = boundTimestamp(dialectOf(em), now);
    for (const e of events) {
      await em.query(ENQUEUE_SQLITE, [
        accountId,
        e.eventId,
        e.type,
        e.leadId,
        JSON.stringify(e.data),
        at,
        at,
        at,
        accountId,
        `"${e.type}"`,
      ]);
    }
  }

  /**
   * PostgreSQL: the CTE `name` of a create statement that queues `lead.created` for the leads it
   * writes. `source` is SQL yielding one row per written lead with `id` (the lead's id), `event_id`,
   * `lead` (jsonb: the lead as answered, without its id) and `ord` (the lead's order).
   */
  leadCreatedCte(p: SqlParams, account: string, name: string, source: string): string {
    const now = `${p.add(new Date())}::timestamptz`;
    return `${name} AS (INSERT INTO webhook_deliveries (${COLUMNS})
      SELECT ${account}, wh.id, s.event_id, 'lead.created', s.id, jsonb_build_object('lead', s.lead || jsonb_build_object('id', s.id)), ${now}, 'pending', 0, GREATEST(${now}, wh.paused_until), ${now}
      FROM (${source}) s JOIN webhooks wh ON ${subscribed('wh', account, `'lead.created'`)}
      ORDER BY s.ord, wh.id)`;
  }
}
