import { PageOf } from '../../common/list/page.dto';
import { ApiProperty, ApiPropertyOptional, ApiSchema, OmitType } from '@nestjs/swagger';
import { AuditLogEntry } from '../../audit/dto/audit-log-entry.dto';
import type { Assignment, SkipReason } from '../../routing/routing-policy';
import { LEAD_DESCRIPTIONS as D } from './lead-fields';

export class SkippedMemberDto {
  @ApiProperty({ example: 'bob@example.com' })
  email: string;

  @ApiProperty({ enum: ['inactive', 'paused', 'away', 'capped'], example: 'away' })
  reason: SkipReason;
}

@ApiSchema({ description: 'Who a new lead went to and why' })
export class AssignmentDto {
  @ApiProperty({ enum: ['explicit', 'rotation', 'none'], description: 'explicit: assignedTo was given; rotation: picked by a rotation' })
  method: Assignment['method'];

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'The rotation that picked (or, when nobody was eligible, the last one tried)',
  })
  rotationId: number | null;

  @ApiProperty({ type: String, nullable: true })
  rotationName: string | null;

  @ApiProperty({ enum: ['assigned_to_given', 'team_rotation', 'default_rotation', 'no_rotation', 'no_eligible_member'] })
  reason: Assignment['reason'];

  @ApiProperty({ type: [SkippedMemberDto], description: 'Members of the rotations tried who could not be picked, and why' })
  skipped: SkippedMemberDto[];
}

/**
 * The seed's Lead, property for property. A field that was never set (or was cleared) is absent, as
 * the seed's optional types say; `required` lists what is always sent.
 */
@ApiSchema({ description: 'Lead object representing a potential customer or client' })
export class Lead {
  @ApiProperty({ type: 'integer', readOnly: true, description: D.id })
  id: number;

  @ApiProperty({ type: 'string', description: D.accountId })
  accountId: string;

  @ApiPropertyOptional({ type: 'integer', description: D.teamId })
  teamId?: number;

  @ApiPropertyOptional({ type: 'integer', description: D.leadSourceId })
  leadSourceId?: number;

  @ApiPropertyOptional({ type: 'string', description: D.applicationId })
  applicationId?: string;

  @ApiProperty({ type: 'string', description: D.firstName })
  firstName: string;

  @ApiProperty({ type: 'string', description: D.lastName })
  lastName: string;

  @ApiPropertyOptional({ type: 'string', description: D.imgSrc })
  imgSrc?: string;

  @ApiPropertyOptional({ type: 'string', description: D.email })
  email?: string;

  @ApiPropertyOptional({ type: 'string', description: D.phone })
  phone?: string;

  @ApiPropertyOptional({ type: 'string', description: D.company })
  company?: string;

  @ApiPropertyOptional({ type: 'string', description: D.jobTitle })
  jobTitle?: string;

  @ApiPropertyOptional({ type: 'string', description: D.branch })
  branch?: string;

  @ApiPropertyOptional({ type: 'string', description: D.source })
  source?: string;

  @ApiPropertyOptional({ type: 'string', description: D.position })
  position?: string;

  @ApiPropertyOptional({ type: 'string', description: D.location })
  location?: string;

  @ApiPropertyOptional({ type: 'string', description: D.productsServicesSold })
  productsServicesSold?: string;

  @ApiPropertyOptional({ type: 'integer', description: D.numberOfEmployees })
  numberOfEmployees?: number;

  @ApiPropertyOptional({ type: 'string', description: D.currentPaymentProcessor })
  currentPaymentProcessor?: string;

  @ApiPropertyOptional({ type: 'integer', description: D.monthlyTransactionVolume })
  monthlyTransactionVolume?: number;

  @ApiPropertyOptional({ type: 'boolean', description: D.interestedInSwitching })
  interestedInSwitching?: boolean;

  @ApiPropertyOptional({ type: 'string', description: D.processStage })
  processStage?: string;

  @ApiPropertyOptional({ type: 'string', description: D.buyingRole })
  buyingRole?: string;

  @ApiPropertyOptional({ type: 'string', description: D.assignedTo })
  assignedTo?: string;

  @ApiPropertyOptional({ type: 'string', description: D.notes })
  notes?: string;

  @ApiPropertyOptional({ type: 'string', format: 'date-time', description: D.lastContacted })
  lastContacted?: string;

  @ApiProperty({ type: 'boolean', default: false, description: D.archived })
  archived: boolean;

  @ApiProperty({ type: 'string', description: D.createdBy })
  createdBy: string;

  @ApiProperty({ type: 'string', format: 'date-time', readOnly: true, description: D.createdAt })
  createdAt: string;

  @ApiProperty({ type: 'string', format: 'date-time', readOnly: true, description: D.updatedAt })
  updatedAt: string;

  @ApiProperty({ type: () => [AuditLogEntry], readOnly: true, description: D.auditLog })
  auditLog: AuditLogEntry[];

  @ApiPropertyOptional({ type: () => AssignmentDto, readOnly: true, description: 'POST /leads only: who the lead went to and why' })
  assignment?: AssignmentDto;
}

/** POST /lead-rotations/preview: who a lead would go to now, and why. */
export class RoutingPreviewDto {
  @ApiProperty({ type: String, nullable: true, example: 'ann@example.com' })
  assignedTo: string | null;

  @ApiProperty({ type: () => AssignmentDto })
  assignment: AssignmentDto;
}

/** A lead in GET /leads: without its audit log (fetch the lead to read it). */
@ApiSchema({ description: 'A lead as listed: every Lead field but auditLog' })
export class LeadListItem extends OmitType(Lead, ['auditLog', 'assignment'] as const) {}

/** A lead in a POST /leads/batch result: as POST /leads answers it but for the audit log (its one lead_created entry repeats the lead). */
@ApiSchema({ description: 'A lead as a batch answers it: every Lead field but auditLog (GET /leads/{id} has it)' })
export class LeadBatchLead extends OmitType(Lead, ['auditLog'] as const) {}

/** GET /leads. */
export class LeadPage extends PageOf(() => LeadListItem) {
  @ApiProperty({
    type: 'string',
    nullable: true,
    description:
      'Pass as `cursor` (with the same sort) for the next page by keyset: constant cost however deep. ' +
      'Available when sorting by createdAt or updatedAt (the default); null on the last page.',
  })
  nextCursor: string | null;
}
