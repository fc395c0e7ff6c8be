import { Initial1795673980173 } from './1795673980173-Initial';

/** SQLite migrations, in order. A new migration generated with `npm run migration:generate` is added here. */
export const SQLITE_MIGRATIONS = [Initial1795673980173];
