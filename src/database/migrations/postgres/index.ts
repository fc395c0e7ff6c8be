import { Initial1795673983666 } from './1795673983666-Initial';

/** PostgreSQL migrations, in order. A new migration generated with `npm run migration:generate` is added here. */
export const POSTGRES_MIGRATIONS = [Initial1795673983666];
