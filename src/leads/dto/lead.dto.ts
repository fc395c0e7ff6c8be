import { PageOf } from '../../common/list/page.dto';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { AuditLogEntry } from '../../audit/dto/audit-log-entry.dto';
import type { Assignment, SkipReason } from '../../routing/routing-policy';
import { LEAD_DESCRIPTIONS as D } from './lead-fields';

/**
 * The seed's Lead, property for property. Fields that were never set are null (hence `nullable`,
 * which the seed leaves unsaid). `auditLog` is present on single-lead responses, not in lists.
 */
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

@ApiSchema({ description: 'Lead object representing a potential customer or client' })
export class Lead {
  @ApiProperty({ type: 'integer', readOnly: true, description: D.id })
  id: number;

  @ApiPropertyOptional({ type: 'string', description: D.accountId })
  accountId: string;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: D.teamId })
  teamId: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: D.leadSourceId })
  leadSourceId: number | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.applicationId })
  applicationId: string | null;

  @ApiProperty({ type: 'string', description: D.firstName })
  firstName: string;

  @ApiProperty({ type: 'string', description: D.lastName })
  lastName: string;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.imgSrc })
  imgSrc: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.email })
  email: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.phone })
  phone: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.company })
  company: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.jobTitle })
  jobTitle: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.branch })
  branch: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.source })
  source: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.position })
  position: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.location })
  location: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.productsServicesSold })
  productsServicesSold: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: D.numberOfEmployees })
  numberOfEmployees: number | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.currentPaymentProcessor })
  currentPaymentProcessor: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: D.monthlyTransactionVolume })
  monthlyTransactionVolume: number | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, description: D.interestedInSwitching })
  interestedInSwitching: boolean | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.processStage })
  processStage: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.buyingRole })
  buyingRole: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.assignedTo })
  assignedTo: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.notes })
  notes: string | null;

  @ApiPropertyOptional({ type: 'string', format: 'date-time', nullable: true, description: D.lastContacted })
  lastContacted: string | null;

  @ApiPropertyOptional({ type: 'boolean', default: false, description: D.archived })
  archived: boolean;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: D.createdBy })
  createdBy: string | null;

  @ApiPropertyOptional({ type: 'string', format: 'date-time', readOnly: true, description: D.createdAt })
  createdAt: string;

  @ApiPropertyOptional({ type: 'string', format: 'date-time', readOnly: true, description: D.updatedAt })
  updatedAt: string;

  @ApiPropertyOptional({ type: () => [AuditLogEntry], readOnly: true, description: D.auditLog })
  auditLog?: AuditLogEntry[];

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

/** GET /leads: leads without their audit log (fetch a lead to read it). */
export class LeadPage extends PageOf(() => Lead) {
  @ApiProperty({
    type: 'string',
    nullable: true,
    description:
      'Pass as `cursor` (with the same sort) for the next page by keyset: constant cost however deep. ' +
      'Available when sorting by createdAt or updatedAt (the default); null on the last page.',
  })
  nextCursor: string | null;
}
