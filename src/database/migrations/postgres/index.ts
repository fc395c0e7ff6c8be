import { Initial1795673983666 } from './1795673983666-Initial';
import { LeadIndexes1795675938327 } from './1795675938327-LeadIndexes';
import { LeadSearchIndex1795690000000 } from './1795690000000-LeadSearchIndex';
import { AuditLogBigIds1795700000000 } from './1795700000000-AuditLogBigIds';
import { LeadHistoryIndex1795700000001 } from './1795700000001-LeadHistoryIndex';
import { RoutingAvailability1795800000000 } from './1795800000000-RoutingAvailability';
import { RotationWeights1795800000001 } from './1795800000001-RotationWeights';
import { DuplicateLeads1795900000000 } from './1795900000000-DuplicateLeads';
import { Webhooks1796000000000 } from './1796000000000-Webhooks';
import { WebhookPause1796100000000 } from './1796100000000-WebhookPause';
import { LeadEmailKey1796200000000 } from './1796200000000-LeadEmailKey';

/** PostgreSQL migrations, in order. A new migration generated with `npm run migration:generate` is added here. */
export const POSTGRES_MIGRATIONS = [
  Initial1795673983666,
  LeadIndexes1795675938327,
  LeadSearchIndex1795690000000,
  AuditLogBigIds1795700000000,
  LeadHistoryIndex1795700000001,
  RoutingAvailability1795800000000,
  RotationWeights1795800000001,
  DuplicateLeads1795900000000,
  Webhooks1796000000000,
  WebhookPause1796100000000,
  LeadEmailKey1796200000000,
];
