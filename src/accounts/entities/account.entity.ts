import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { TIMESTAMP } from '../../database/column-types';

/** The time zone of an account nobody has set one for. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** What POST /leads does with a lead whose email an unarchived lead of the account already has (§8). */
export const DUPLICATE_LEAD_POLICIES = ['allow', 'reject', 'return_existing'] as const;
export type DuplicateLeadPolicy = (typeof DUPLICATE_LEAD_POLICIES)[number];

@Entity('accounts')
export class Account {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** IANA time zone name (`Europe/Berlin`), as sent; valid for `Intl.DateTimeFormat`. */
  @Column({ name: 'time_zone', type: 'varchar', length: 64, default: DEFAULT_TIME_ZONE })
  timeZone: string;

  @Column({ name: 'duplicate_lead_policy', type: 'varchar', length: 16, default: 'allow' })
  duplicateLeadPolicy: DuplicateLeadPolicy;

  @Column({ name: 'created_by', type: 'varchar', length: 320, nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
