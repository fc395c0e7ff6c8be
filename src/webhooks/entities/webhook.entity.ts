import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Account } from '../../accounts/entities/account.entity';
import { TIMESTAMP } from '../../database/column-types';

/** A URL of the account's that receives the lead events it subscribes to (§9). */
@Entity('webhooks')
@Index('IDX_webhooks_account', ['accountId', 'id'])
export class Webhook {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Account;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  /**
   * The subscribed event types as a JSON array text (`["lead.created"]`): the outbox's INSERT … SELECT
   * matches an event with a LIKE on its quoted name, the same on both databases.
   */
  @Column({ type: 'simple-json' })
  events: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** The signing secret, encrypted (AES-256-GCM, see webhook-secrets.ts): it must be usable, so it cannot be hashed. */
  @Column({ name: 'secret_encrypted', type: 'varchar', length: 200 })
  secretEncrypted: string;

  /** Attempts that failed in a row, across its deliveries; a success resets it. */
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures: number;

  /** When the first of those failed attempts ended; null while there are none. */
  @Column({ name: 'failing_since', type: TIMESTAMP, nullable: true })
  failingSince: Date | null;

  /** While in the future, none of its deliveries is attempted but a ping (see WebhookWorkerService). */
  @Column({ name: 'paused_until', type: TIMESTAMP, nullable: true })
  pausedUntil: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 320, nullable: true })
  createdBy: string | null;

  @Column({ name: 'updated_by', type: 'varchar', length: 320, nullable: true })
  updatedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
