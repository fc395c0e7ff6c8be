import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from '../../../database/column-types';

/** A fixed-window counter shared by every instance on the same database. */
@Entity('rate_limit_buckets')
@Index('IDX_rate_limit_buckets_reset', ['resetAt'])
export class RateLimitBucket {
  @PrimaryColumn({ type: 'varchar', length: 400 })
  key: string;

  @Column({ type: 'integer' })
  hits: number;

  @Column({ name: 'reset_at', type: TIMESTAMP })
  resetAt: Date;
}
