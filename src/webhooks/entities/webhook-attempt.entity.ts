import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { BIG_ID, TIMESTAMP } from '../../database/column-types';
import { WebhookDelivery } from './webhook-delivery.entity';

/** One attempt of a delivery whose outcome was recorded: the deliveries log lists them. */
@Entity('webhook_attempts')
@Index('IDX_webhook_attempts_delivery', ['deliveryId', 'id'])
export class WebhookAttempt {
  @PrimaryGeneratedColumn({ type: BIG_ID })
  id: number;

  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @Column({ name: 'delivery_id', type: BIG_ID })
  deliveryId: number;

  @ManyToOne(() => WebhookDelivery, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id' })
  delivery?: WebhookDelivery;

  /** 1 for the delivery's first attempt. */
  @Column({ type: 'integer' })
  attempt: number;

  /** The receiver's HTTP status; null when there was no answer (timeout, refused connection, refused address). */
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;
}
