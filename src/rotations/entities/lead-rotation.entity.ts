import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Account } from '../../accounts/entities/account.entity';
import { JSON_COLUMN, TIMESTAMP } from '../../database/column-types';
import { Team } from '../../teams/entities/team.entity';
import { registerUniqueConstraints } from '../../common/errors/database-errors';
import type { RoutingState } from '../../routing/routing-policy';

export type RotationStatus = 'active' | 'archived' | 'queued';
export const ROTATION_STATUSES: RotationStatus[] = ['active', 'archived', 'queued'];

/**
 * A round-robin list of user emails. The database enforces at most one active rotation per team and
 * one active `default` (team-less) rotation per account with partial unique indexes.
 */
@Entity('lead_rotations')
@Index('IDX_lead_rotations_account_status', ['accountId', 'status'])
@Index('UQ_lead_rotations_active_team', ['accountId', 'teamId'], {
  unique: true,
  where: `status = 'active' AND team_id IS NOT NULL`,
})
@Index('UQ_lead_rotations_active_default', ['accountId'], {
  unique: true,
  where: `status = 'active' AND team_id IS NULL AND is_default`,
})
export class LeadRotation {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Account;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** True when the rotation is named `default` (case-insensitively) and has no team: the account's fallback. */
  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: RotationStatus;

  @Column({ name: 'team_id', type: 'integer', nullable: true })
  teamId: number | null;

  @ManyToOne(() => Team, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'team_id' })
  team?: Team | null;

  /** Lower-cased user emails, in rotation order. */
  @Column({ name: 'user_rotation_array', type: JSON_COLUMN })
  userRotationArray: string[];

  @Column({ name: 'current_position', type: 'integer', default: 0 })
  currentPosition: number;

  /** Weight by member email (0–100); a member without one weighs 1. */
  @Column({ type: JSON_COLUMN, default: () => "'{}'" })
  weights: Record<string, number>;

  /** Leads per local day by member email; a member without one has no cap. */
  @Column({ name: 'daily_caps', type: JSON_COLUMN, default: () => "'{}'" })
  dailyCaps: Record<string, number>;

  /** Where the weighted order stands and the day's counts (src/routing); null until the first pick, and after an edit. */
  @Column({ name: 'routing_state', type: JSON_COLUMN, nullable: true })
  routingState: RoutingState | null;

  @Column({ name: 'created_by', type: 'varchar', length: 320, nullable: true })
  createdBy: string | null;

  @Column({ name: 'updated_by', type: 'varchar', length: 320, nullable: true })
  updatedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}

// The messages of its unique indexes (409).
registerUniqueConstraints(
  {
    pg: 'UQ_lead_rotations_active_team',
    sqlite: 'lead_rotations.account_id, lead_rotations.team_id',
    message: 'The team already has an active lead rotation',
  },
  {
    pg: 'UQ_lead_rotations_active_default',
    sqlite: 'lead_rotations.account_id',
    message: 'The account already has an active default lead rotation',
  },
);
