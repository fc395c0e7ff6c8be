import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Account } from '../../accounts/entities/account.entity';
import { registerUniqueConstraints } from '../../common/errors/database-errors';
import { TIMESTAMP } from '../../database/column-types';
import { User } from './user.entity';

export type MembershipRole = 'admin' | 'user';

/**
 * A user's place in an account: role, whether it is active, whether it is the user's primary account,
 * and whether the user is away in this account (availability is per account).
 */
@Entity('memberships')
@Index('UQ_memberships_account_user', ['accountId', 'userId'], { unique: true })
@Index('IDX_memberships_user', ['userId'])
export class Membership {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Account;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'varchar', length: 16 })
  role: MembershipRole;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'is_primary', type: 'boolean', default: false })
  isPrimary: boolean;

  /** Marked away by the user or an admin; see `isAway` (users/availability.ts) for when it counts. */
  @Column({ type: 'boolean', default: false })
  away: boolean;

  /** When the absence ends; null: until `away` is switched off. */
  @Column({ name: 'away_until', type: TIMESTAMP, nullable: true })
  awayUntil: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 320, nullable: true })
  createdBy: string | null;

  @Column({ name: 'updated_by', type: 'varchar', length: 320, nullable: true })
  updatedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}

registerUniqueConstraints({
  pg: 'UQ_memberships_account_user',
  sqlite: 'memberships.account_id, memberships.user_id',
  message: 'This user is already a member of the account',
});
