import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Account } from '../../accounts/entities/account.entity';
import { TIMESTAMP } from '../../database/column-types';
import { User } from '../../users/entities/user.entity';

@Entity('api_keys')
@Index('IDX_api_keys_account', ['accountId', 'id'])
export class ApiKey {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Account;

  /** The public half of the credential, sent as `apiKey` at login. */
  @Index('UQ_api_keys_key', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  key: string;

  /** SHA-256 of the secret; the secret has 256 bits of entropy, so a fast hash is enough. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 128 })
  secretHash: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'simple-json' })
  permissions: string[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_by_user_id', type: 'integer' })
  createdByUserId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'created_by_user_id' })
  createdByUser?: User;

  @Column({ name: 'created_by', type: 'varchar', length: 320, nullable: true })
  createdBy: string | null;

  @Column({ name: 'updated_by', type: 'varchar', length: 320, nullable: true })
  updatedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
