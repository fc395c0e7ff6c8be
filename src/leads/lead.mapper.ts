import { toAuditLogEntry } from '../audit/audit-log.mapper';
import { AuditLog } from '../audit/entities/audit-log.entity';
import type { Assignment } from '../routing/routing-policy';
import { Lead, LeadListItem } from './dto/lead.dto';
import { Lead as LeadEntity } from './entities/lead.entity';

/**
 * An unset field is absent on the wire, as the seed's optional (not nullable) types say: it maps to
 * undefined, which JSON leaves out.
 */
const set = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

/** Entity → a lead as listed (no audit log), in the seed's property order. */
export function toLeadListItem(l: LeadEntity): LeadListItem {
  return {
    id: Number(l.id),
    accountId: String(l.accountId),
    teamId: set(l.teamId),
    leadSourceId: set(l.leadSourceId),
    applicationId: set(l.applicationId),
    firstName: l.firstName,
    lastName: l.lastName,
    imgSrc: set(l.imgSrc),
    email: set(l.email),
    phone: set(l.phone),
    company: set(l.company),
    jobTitle: set(l.jobTitle),
    branch: set(l.branch),
    source: set(l.source),
    position: set(l.position),
    location: set(l.location),
    productsServicesSold: set(l.productsServicesSold),
    numberOfEmployees: set(l.numberOfEmployees),
    currentPaymentProcessor: set(l.currentPaymentProcessor),
    monthlyTransactionVolume: set(l.monthlyTransactionVolume),
    interestedInSwitching: set(l.interestedInSwitching),
    processStage: set(l.processStage),
    buyingRole: set(l.buyingRole),
    assignedTo: set(l.assignedTo),
    notes: set(l.notes),
    lastContacted: l.lastContacted === null ? undefined : l.lastContacted.toISOString(),
    archived: l.archived,
    createdBy: l.createdBy,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  };
}

/** Entity → a single lead, with its audit log (oldest first) and, on create, its assignment. */
export function toLead(l: LeadEntity, auditLog: AuditLog[], assignment?: Assignment): Lead {
  return { ...toLeadListItem(l), auditLog: auditLog.map(toAuditLogEntry), ...(assignment && { assignment }) };
}
