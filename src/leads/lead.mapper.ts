import { toAuditLogEntry } from '../audit/audit-log.mapper';
import { AuditLog } from '../audit/entities/audit-log.entity';
import type { Assignment } from '../routing/routing-policy';
import { Lead } from './dto/lead.dto';
import { Lead as LeadEntity } from './entities/lead.entity';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** Entity → response. `auditLog` is only given for single-lead responses. */
export function toLead(l: LeadEntity, auditLog?: AuditLog[], assignment?: Assignment): Lead {
  const lead: Lead = {
    id: Number(l.id),
    accountId: String(l.accountId),
    teamId: l.teamId,
    leadSourceId: l.leadSourceId,
    applicationId: l.applicationId,
    firstName: l.firstName,
    lastName: l.lastName,
    imgSrc: l.imgSrc,
    email: l.email,
    phone: l.phone,
    company: l.company,
    jobTitle: l.jobTitle,
    branch: l.branch,
    source: l.source,
    position: l.position,
    location: l.location,
    productsServicesSold: l.productsServicesSold,
    numberOfEmployees: l.numberOfEmployees,
    currentPaymentProcessor: l.currentPaymentProcessor,
    monthlyTransactionVolume: l.monthlyTransactionVolume,
    interestedInSwitching: l.interestedInSwitching,
    processStage: l.processStage,
    buyingRole: l.buyingRole,
    assignedTo: l.assignedTo,
    notes: l.notes,
    lastContacted: iso(l.lastContacted),
    archived: l.archived,
    createdBy: l.createdBy,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  };
  if (assignment) lead.assignment = assignment;
  if (auditLog) lead.auditLog = auditLog.map(toAuditLogEntry);
  return lead;
}
