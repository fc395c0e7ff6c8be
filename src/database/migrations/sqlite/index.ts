import { Initial1795673980173 } from './1795673980173-Initial';
import { LeadIndexes1795675927922 } from './1795675927922-LeadIndexes';
import { LeadHistoryIndex1795700000001 } from './1795700000001-LeadHistoryIndex';
import { RoutingAvailability1795800000000 } from './1795800000000-RoutingAvailability';
import { RotationWeights1795800000001 } from './1795800000001-RotationWeights';
import { DuplicateLeads1795900000000 } from './1795900000000-DuplicateLeads';
import { Webhooks1796000000000 } from './1796000000000-Webhooks';
import { WebhookPause1796100000000 } from './1796100000000-WebhookPause';
import { LeadEmailKey1796200000000 } from './1796200000000-LeadEmailKey';

/** SQLite migrations, in order. A new migration generated with `npm run migration:generate` is added here. */
export const SQLITE_MIGRATIONS = [
  Initial1795673980173,
  LeadIndexes1795675927922,
  LeadHistoryIndex1795700000001,
  RoutingAvailability1795800000000,
  RotationWeights1795800000001,
  DuplicateLeads1795900000000,
  Webhooks1796000000000,
  WebhookPause1796100000000,
  LeadEmailKey1796200000000,
];
