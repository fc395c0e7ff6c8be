import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEVELOPMENT_WEBHOOK_SECRET_KEY, loadConfig, parseDuration } from './configuration';

const SECRET = 'x'.repeat(40);

describe('loadConfig', () => {
  it('defaults to SQLite in ./data with port 3000 and a 12h token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const c = loadConfig({ DATABASE_PATH: join(dir, 'db.sqlite') });
    expect(c.database).toEqual({ type: 'sqlite', path: join(dir, 'db.sqlite') });
    expect(c.port).toBe(3000);
    expect(c.jwt.ttlSeconds).toBe(12 * 3600);
    expect(c.trustProxy).toBe(false);
    expect(c.demoData).toBe(true);
  });

  it('keeps a development secret beside the database and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const a = loadConfig({ DATABASE_PATH: join(dir, 'db.sqlite') });
    const b = loadConfig({ DATABASE_PATH: join(dir, 'db.sqlite') });
    expect(a.jwt.secret).toBe(b.jwt.secret);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8')).toBe(a.jwt.secret);
    expect(a.jwt.secret.length).toBeGreaterThanOrEqual(32);
  });

  it('selects PostgreSQL from DATABASE_URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', JWT_SECRET: SECRET });
    expect(c.database).toMatchObject({ type: 'postgres', url: 'postgres://u@127.0.0.1:5432/db', poolSize: 10 });
  });

  it.each<[Record<string, string>, string]>([
    [{ PORT: 'abc' }, 'PORT must be an integer, got "abc"'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535, got 70000'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must start with postgres:// (got "mysql://")'],
    [{ JWT_TTL: 'soon' }, 'JWT_TTL must be a duration like 12h, 30m, 45s or 7d, got "soon"'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be development, production or test, got "staging"'],
    [{ NODE_ENV: 'production', JWT_SECRET: '' }, 'JWT_SECRET is required in production (at least 32 characters)'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 characters in production'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY must be true, false, a hop count or a list of addresses, got "maybe"'],
    [{ BOOTSTRAP_ADMIN_EMAIL: 'a@b.co' }, 'BOOTSTRAP_ADMIN_PASSWORD is required when BOOTSTRAP_ADMIN_EMAIL is set'],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE must be an integer, got "-1"'],
    [{ NODE_ENV: 'production' }, 'WEBHOOK_SECRET_KEY is required in production (at least 32 characters)'],
    [{ WEBHOOK_SECRET_KEY: 'short' }, 'WEBHOOK_SECRET_KEY must be at least 32 characters'],
    [{ WEBHOOK_ALLOW_PRIVATE_URLS: 'maybe' }, 'WEBHOOK_ALLOW_PRIVATE_URLS must be true or false, got "maybe"'],
  ])('rejects %j with one line naming the setting', (env, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const run = () => loadConfig({ DATABASE_PATH: join(dir, 'db.sqlite'), JWT_SECRET: SECRET, ...env });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
    expect(message).not.toContain('\n');
  });

  it('parses TRUST_PROXY as a boolean, hop count or address list', () => {
    const base = { JWT_SECRET: SECRET, DATABASE_PATH: join(mkdtempSync(join(tmpdir(), 'cfg-')), 'db.sqlite') };
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
  });

  it('has webhook defaults: private URLs allowed outside production only, a fixed key outside production', () => {
    const base = { JWT_SECRET: SECRET, DATABASE_PATH: join(mkdtempSync(join(tmpdir(), 'cfg-')), 'db.sqlite') };
    expect(loadConfig(base).webhooks).toEqual({
      secretKey: DEVELOPMENT_WEBHOOK_SECRET_KEY,
      workers: 16,
      retryBaseMs: 10000,
      maxAttempts: 12,
      timeoutMs: 10000,
      allowPrivateUrls: true,
      pauseAfterFailures: 5,
      deliveryRetentionDays: 30,
    });
    const prod = loadConfig({ ...base, NODE_ENV: 'production', WEBHOOK_SECRET_KEY: 'k'.repeat(32), WEBHOOK_WORKERS: '0' });
    expect(prod.webhooks).toMatchObject({ secretKey: 'k'.repeat(32), workers: 0, allowPrivateUrls: false });
  });

  it('parses durations', () => {
    expect(parseDuration('X', '45s')).toBe(45);
    expect(parseDuration('X', '30m')).toBe(1800);
    expect(parseDuration('X', '7d')).toBe(7 * 86400);
    expect(parseDuration('X', '90')).toBe(90);
  });
});
