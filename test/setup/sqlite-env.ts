import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCommonTestEnv } from './common-env';

// Each e2e file gets its own SQLite file (removed by the test app's close()).
applyCommonTestEnv();
delete process.env.DATABASE_URL;
process.env.DATABASE_PATH = join(tmpdir(), `leads-e2e-${process.pid}-${randomBytes(6).toString('hex')}`, 'leads.sqlite');
