import { applyCommonTestEnv } from './common-env';

// The database was created by postgres-global-setup.ts for this run; files are isolated by account.
applyCommonTestEnv();
if (!process.env.LEADS_E2E_PG_URL) throw new Error('postgres-global-setup.ts did not run');
process.env.DATABASE_URL = process.env.LEADS_E2E_PG_URL;
delete process.env.DATABASE_PATH;
