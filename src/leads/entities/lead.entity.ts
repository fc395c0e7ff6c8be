import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Account } from '../../accounts/entities/account.entity';
import { TIMESTAMP } from '../../database/column-types';
import { LeadSource } from '../../lead-sources/entities/lead-source.entity';
import { Team } from '../../teams/entities/team.entity';

/** Maximum lengths of the lead's text fields, shared by the entity and the input validation. */
export const LEAD_TEXT_LIMITS = {
  applicationId: 255,
  firstName: 200,
  lastName: 200,
  imgSrc: 2048,
  email: 320,
  phone: 50,
  company: 255,
  jobTitle: 255,
  branch: 255,
  source: 255,
  position: 255,
  location: 255,
  productsServicesSold: 1000,
  currentPaymentProcessor: 255,
  processStage: 100,
  buyingRole: 100,
  assignedTo: 320,
  notes: 20000,
  createdBy: 320,
} as const;

/**
 * Indexes for lists at a million leads per account: every list filters the account and `archived`
 * and sorts newest first by default, so the common filters (team, source, assignee) lead into
 * (archived, created_at, id) and a page is read straight off the index, without a sort. The other
 * default-ordered sorts and ranges (updatedAt, lastContacted) and the email lookup have their own.
 */
/**
 * PostgreSQL only: the trigram index of `search` (an expression index, created by the migration
 * LeadSearchIndex). `synchronize: false` tells the schema builder it is managed by hand.
 */
@Index('IDX_leads_search_trgm', { synchronize: false })
// The duplicate check's (account, email key) of unarchived leads: a partial index (LeadEmailKey).
@Index('IDX_leads_account_email_key', { synchronize: false })
@Entity('leads')
@Index('IDX_leads_account_archived_created', ['accountId', 'archived', 'createdAt', 'id'])
@Index('IDX_leads_account_archived_updated', ['accountId', 'archived', 'updatedAt', 'id'])
@Index('IDX_leads_account_archived_contacted', ['accountId', 'archived', 'lastContacted', 'id'])
@Index('IDX_leads_account_team_archived_created', ['accountId', 'teamId', 'archived', 'createdAt', 'id'])
@Index('IDX_leads_account_source_archived_created', ['accountId', 'leadSourceId', 'archived', 'createdAt', 'id'])
@Index('IDX_leads_account_assigned_archived_created', ['accountId', 'assignedTo', 'archived', 'createdAt', 'id'])
@Index('IDX_leads_account_email', ['accountId', 'email'])
export class Lead {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Account;

  @Column({ name: 'team_id', type: 'integer', nullable: true })
  teamId: number | null;

  @ManyToOne(() => Team, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'team_id' })
  team?: Team | null;

  @Column({ name: 'lead_source_id', type: 'integer', nullable: true })
  leadSourceId: number | null;

  @ManyToOne(() => LeadSource, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'lead_source_id' })
  leadSource?: LeadSource | null;

  @Column({ name: 'application_id', type: 'varchar', length: LEAD_TEXT_LIMITS.applicationId, nullable: true })
  applicationId: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: LEAD_TEXT_LIMITS.firstName })
  firstName: string;

  @Column({ name: 'last_name', type: 'varchar', length: LEAD_TEXT_LIMITS.lastName })
  lastName: string;

  @Column({ name: 'img_src', type: 'varchar', length: LEAD_TEXT_LIMITS.imgSrc, nullable: true })
  imgSrc: string | null;

  @Column({ type: 'varchar', length: LEAD_TEXT_LIMITS.email, nullable: true })
  email: string | null;

  /** The duplicate check's key of `email` (duplicateKey), written with it; not part of the API. */
  @Column({ name: 'email_key', type: 'varchar', nullable: true })
  emailKey: string | null;

  @Column({ type: 'varchar', length: LEAD_TEXT_LIMITS.phone, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: LEAD_TEXT_LIMITS.company, nullable: true })
  company: string | null;

  @Column({ name: 'job_title', type: 'varchar', length: LEAD_TEXT_LIMITS.jobTitle, nullable: true })
  jobTitle: string | null;

  @Column({ type: 'varchar', length: LEAD_TEXT_LIMITS.branch, nullable: true })
  branch: string | null;

  @Column({ type: 'varchar', length: LEAD_TEXT_LIMITS.source, nullable: true })
  source: string | null;

  @Column({ type: 'varchar', length: LEAD_TEXT_LIMITS.position, nullable: true })
  position: string | null;

  @Column({ type: 'varchar', length: LEAD_TEXT_LIMITS.location, nullable: true })
  location: string | null;

  @Column({
    name: 'products_services_sold',
    type: 'varchar',
    length: LEAD_TEXT_LIMITS.productsServicesSold,
    nullable: true,
  })
  productsServicesSold: string | null;

  @Column({ name: 'number_of_employees', type: 'integer', nullable: true })
  numberOfEmployees: number | null;

  @Column({
    name: 'current_payment_processor',
    type: 'varchar',
    length: LEAD_TEXT_LIMITS.currentPaymentProcessor,
    nullable: true,
  })
  currentPaymentProcessor: string | null;

  /** Dollars; bigint on PostgreSQL would come back as a string, and 2^31 dollars a month is headroom enough. */
  @Column({ name: 'monthly_transaction_volume', type: 'integer', nullable: true })
  monthlyTransactionVolume: number | null;

  @Column({ name: 'interested_in_switching', type: 'boolean', nullable: true })
  interestedInSwitching: boolean | null;

  @Column({ name: 'process_stage', type: 'varchar', length: LEAD_TEXT_LIMITS.processStage, nullable: true })
  processStage: string | null;

  @Column({ name: 'buying_role', type: 'varchar', length: LEAD_TEXT_LIMITS.buyingRole, nullable: true })
  buyingRole: string | null;

  /** Email of the assigned user (lower-cased). */
  @Column({ name: 'assigned_to', type: 'varchar', length: LEAD_TEXT_LIMITS.assignedTo, nullable: true })
  assignedTo: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'last_contacted', type: TIMESTAMP, nullable: true })
  lastContacted: Date | null;

  @Column({ type: 'boolean', default: false })
  archived: boolean;

  // The column allows NULL (the schema as first shipped), but every write sets it: a create defaults it
  // to the caller and a PATCH cannot clear it, so the API always answers it.
  @Column({ name: 'created_by', type: 'varchar', length: LEAD_TEXT_LIMITS.createdBy, nullable: true })
  createdBy: string;

  @Column({ name: 'updated_by', type: 'varchar', length: 320, nullable: true })
  updatedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
