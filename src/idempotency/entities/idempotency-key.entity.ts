import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JSON_COLUMN, TIMESTAMP } from '../../database/column-types';

/** A completed create, replayable for the key's lifetime. Written in the same transaction as the create. */
@Entity('idempotency_keys')
@Index('UQ_idempotency_keys_scope', ['accountId', 'principal', 'key'], { unique: true })
@Index('IDX_idempotency_keys_expires', ['expiresAt'])
export class IdempotencyKey {
  @PrimaryGeneratedColumn()
  id: number;

  /** 0 for requests outside any account (POST /accounts). */
  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  /** `user:<id>` or `apikey:<id>`. */
  @Column({ type: 'varchar', length: 64 })
  principal: string;

  @Column({ type: 'varchar', length: 255 })
  key: string;

  @Column({ name: 'request_method', type: 'varchar', length: 10 })
  requestMethod: string;

  @Column({ name: 'request_path', type: 'varchar', length: 2048 })
  requestPath: string;

  /** SHA-256 of method, path, query and canonical body. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ name: 'response_status', type: 'integer' })
  responseStatus: number;

  @Column({ name: 'response_body', type: JSON_COLUMN, nullable: true })
  responseBody: unknown;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ name: 'expires_at', type: TIMESTAMP })
  expiresAt: Date;
}
