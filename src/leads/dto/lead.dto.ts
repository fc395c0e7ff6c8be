import { PageOf } from '../../common/list/page.dto';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { AuditLogEntry } from '../../audit/dto/audit-log-entry.dto';
import { LEAD_DESCRIPTIONS as D } from './lead-fields';

/**
 * The seed's Lead, property for property. Fields that were never set are null (hence `nullable`,
 * which the seed leaves unsaid). `auditLog` is present on single-lead responses, not in lists.
 */
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
