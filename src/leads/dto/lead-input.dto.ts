import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ClosedBody } from '../../common/openapi/schema-decorators';
import { BoolField, DateTimeField, IntField, LEAD_DESCRIPTIONS as D, TextField } from './lead-fields';
import { LEAD_TEXT_LIMITS } from '../entities/lead.entity';
import { MAX_ID } from '../../common/pipes/id-param.pipe';

/**
 * Body of POST /leads: the seed's LeadInput. Optional fields also accept null (meaning "not set"),
 * so a lead read from the API can be sent back as is once its read-only fields are removed.
 */
@ClosedBody('Input for creating a new lead')
export class LeadInput {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_ID, description: D.teamId })
  @IntField(1, { nullable: true })
  teamId?: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_ID, description: D.leadSourceId })
  @IntField(1, { nullable: true })
  leadSourceId?: number | null;

  @ApiProperty({ type: 'string', maxLength: LEAD_TEXT_LIMITS.firstName, description: D.firstName })
  @TextField('firstName', { required: true })
  firstName: string;

  @ApiProperty({ type: 'string', maxLength: LEAD_TEXT_LIMITS.lastName, description: D.lastName })
  @TextField('lastName', { required: true })
  lastName: string;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.imgSrc, description: D.imgSrc })
  @TextField('imgSrc', { nullable: true, format: 'url' })
  imgSrc?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.email, description: D.email })
  @TextField('email', { nullable: true, format: 'email' })
  email?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.phone, description: D.phone })
  @TextField('phone', { nullable: true })
  phone?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.company, description: D.company })
  @TextField('company', { nullable: true })
  company?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.jobTitle, description: D.jobTitle })
  @TextField('jobTitle', { nullable: true })
  jobTitle?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.branch, description: D.branch })
  @TextField('branch', { nullable: true })
  branch?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.source, description: D.source })
  @TextField('source', { nullable: true })
  source?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.position, description: D.position })
  @TextField('position', { nullable: true })
  position?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.location, description: D.location })
  @TextField('location', { nullable: true })
  location?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.productsServicesSold, description: D.productsServicesSold })
  @TextField('productsServicesSold', { nullable: true })
  productsServicesSold?: string | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_ID, description: D.numberOfEmployees })
  @IntField(0, { nullable: true })
  numberOfEmployees?: number | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.currentPaymentProcessor, description: D.currentPaymentProcessor })
  @TextField('currentPaymentProcessor', { nullable: true })
  currentPaymentProcessor?: string | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_ID, description: D.monthlyTransactionVolume })
  @IntField(0, { nullable: true })
  monthlyTransactionVolume?: number | null;

  @ApiPropertyOptional({ type: 'boolean', description: D.interestedInSwitching })
  @BoolField({ nullable: true })
  interestedInSwitching?: boolean | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.processStage, description: D.processStage })
  @TextField('processStage', { nullable: true })
  processStage?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.buyingRole, description: D.buyingRole })
  @TextField('buyingRole', { nullable: true })
  buyingRole?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.assignedTo, description: D.assignedTo })
  @TextField('assignedTo', { nullable: true, format: 'email' })
  assignedTo?: string | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.notes, description: D.notes })
  @TextField('notes', { nullable: true })
  notes?: string | null;

  @ApiPropertyOptional({ type: 'string', format: 'date-time', description: D.lastContacted })
  @DateTimeField({ nullable: true })
  lastContacted?: string | null;

  @ApiPropertyOptional({ type: 'boolean', description: D.archived })
  @BoolField({ nullable: true })
  archived?: boolean | null;

  @ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS.createdBy, description: D.createdByInput })
  @TextField('createdBy', { nullable: true, format: 'email' })
  createdBy?: string | null;
}

/**
 * Body of PATCH /leads/{id}: every LeadInput field, all optional. null clears an optional field;
 * firstName, lastName, archived and createdBy cannot be cleared (null is validated, not skipped).
 */
@ClosedBody('Input for updating a lead: every field optional; null clears an optional field')
export class UpdateLeadInput extends PartialType(OmitType(LeadInput, ['archived', 'createdBy'] as const), { skipNullProperties: false }) {
  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    description:
      'Email of an active member of the account to assign the lead to; null unassigns it. A PATCH never assigns through a rotation.',
  })
  override assignedTo?: string | null;

  @ApiPropertyOptional({ type: 'boolean', description: D.archived })
  @BoolField()
  archived?: boolean;

  @ApiPropertyOptional({ type: 'string', description: 'Email of the user who created the lead (a user of the account)' })
  @TextField('createdBy', { format: 'email' })
  createdBy?: string;
}
