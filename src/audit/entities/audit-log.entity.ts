import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { BIG_ID, JSON_COLUMN, TIMESTAMP } from '../../database/column-types';

/**
 * One row per request that reached the API. No foreign keys on purpose: entries outlive the leads,
 * keys and users they mention (a deleted lead's history stays queryable).
 */
@Entity('audit_logs')
@Index('IDX_audit_logs_account_lead', ['accountId', 'leadId', 'id'])
// Partial (lead events only), created by its migration: TypeORM cannot compare its WHERE clause.
@Index('IDX_audit_logs_lead_history', { synchronize: false })
@Index('IDX_audit_logs_account_created', ['accountId', 'created'])
@Index('IDX_audit_logs_account_event', ['accountId', 'event'])
export class AuditLog {
  /** 64-bit on PostgreSQL, where `pg` reads it as a string: the mappers make it a number again. */
  @PrimaryGeneratedColumn({ type: BIG_ID })
  id: number;

  @Column({ name: 'account_id', type: 'integer', nullable: true })
  accountId: number | null;

  @Column({ type: 'varchar', length: 64 })
  event: string;

  /** Email of the acting user (for an API key: its creator). */
  @Column({ name: 'user', type: 'varchar', length: 320, nullable: true })
  user: string | null;

  /** Id of the API key when the request used a key-based session. */
  @Column({ name: 'api_key', type: 'varchar', length: 64, nullable: true })
  apiKey: string | null;

  @Column({ type: JSON_COLUMN, nullable: true })
  data: Record<string, unknown> | null;

  @Column({ type: TIMESTAMP })
  created: Date;

  @Column({ name: 'request_method', type: 'varchar', length: 10 })
  requestMethod: string;

  @Column({ name: 'request_path', type: 'varchar', length: 2048 })
  requestPath: string;

  @Column({ name: 'request_headers', type: JSON_COLUMN, nullable: true })
  requestHeaders: Record<string, unknown> | null;

  @Column({ name: 'request_ip_address', type: 'varchar', length: 64, nullable: true })
  requestIpAddress: string | null;

  @Column({ name: 'status_code', type: 'integer' })
  statusCode: number;

  @Column({ name: 'lead_id', type: 'integer', nullable: true })
  leadId: number | null;
}
