import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { BIG_ID, JSON_COLUMN, TIMESTAMP } from '../../database/column-types';
import { Webhook } from './webhook.entity';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * The outbox: one row per event and subscribed webhook, written in the transaction of the change it
 * reports. Workers claim due rows (`pending`, `next_attempt_at` passed), post them, and record the
 * outcome; a claim moves `next_attempt_at` forward as a lease, so a worker that dies mid-post only
 * delays the next attempt.
 */
@Entity('webhook_deliveries')
@Index('IDX_webhook_deliveries_webhook', ['accountId', 'webhookId', 'id'])
// Partial (pending rows only), created by its migration: TypeORM cannot compare its WHERE clause.
@Index('IDX_webhook_deliveries_due', { synchronize: false })
export class WebhookDelivery {
  @PrimaryGeneratedColumn({ type: BIG_ID })
  id: number;

  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @Column({ name: 'webhook_id', type: 'integer' })
  webhookId: number;

  @ManyToOne(() => Webhook, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'webhook_id' })
  webhook?: Webhook;

  /** `evt_…`: the same for every webhook the event goes to, and for its redeliveries. */
  @Column({ name: 'event_id', type: 'varchar', length: 40 })
  eventId: string;

  @Column({ name: 'event_type', type: 'varchar', length: 32 })
  eventType: string;

  /** The lead the event is about (none for a ping); no foreign key: a lead.deleted event outlives its lead. */
  @Column({ name: 'lead_id', type: 'integer', nullable: true })
  leadId: number | null;

  /** The body's `data`: `{lead, changes?}`, or `{webhook}` for a ping. */
  @Column({ type: JSON_COLUMN })
  data: Record<string, unknown>;

  /** When the event happened (the body's `created`). */
  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  /** Attempts started (a claim counts one, so an attempt whose outcome was lost still counts). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** When the next attempt is due (or the current claim's lease ends); null once delivered or failed. */
  @Column({ name: 'next_attempt_at', type: TIMESTAMP, nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ name: 'last_duration_ms', type: 'integer', nullable: true })
  lastDurationMs: number | null;

  @Column({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
