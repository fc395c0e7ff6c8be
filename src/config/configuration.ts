import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { normalizeEmail } from '../common/email';

/** Raised for a bad setting; its message is one line naming the setting. */
export class ConfigError extends Error {
  constructor(setting: string, problem: string) {
    super(`${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type DatabaseConfig =
  | { type: 'sqlite'; path: string }
  | { type: 'postgres'; url: string; poolSize: number; connectTimeoutMs: number; statementTimeoutMs: number };

export interface BootstrapConfig {
  email: string;
  password: string;
  accountName: string;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  database: DatabaseConfig;
  jwt: { secret: string; ttl: string; ttlSeconds: number };
  bootstrap: BootstrapConfig | null;
  /** Express `trust proxy` value: false, true, a hop count, or a list of addresses/subnets. */
  trustProxy: boolean | number | string;
  logLevel: string;
  /** Requests per principal per minute; 0 disables the limit. */
  rateLimitPerMinute: number;
  /** Login attempts per IP and per email per minute; 0 disables the limit. */
  loginRateLimitPerMinute: number;
  /** Seed demo data into an empty database in development. */
  demoData: boolean;
  /** How long idempotency records are replayed, in seconds. */
  idempotencyTtlSeconds: number;
  /** Audit entries older than this many days are deleted in the background; 0 keeps them forever. */
  auditRetentionDays: number;
  shutdownTimeoutMs: number;
  /** Verified principals kept in memory (docs/PRINCIPAL-CACHE.md): at most `maxEntries`, each for at most `ttlSeconds`; 0 turns it off. */
  principalCache: { maxEntries: number; ttlSeconds: number };
  webhooks: WebhookConfig;
}

/** Settings of webhook delivery (§9). */
export interface WebhookConfig {
  /** The key webhook secrets are encrypted with at rest (derived with HKDF). */
  secretKey: string;
  /** Deliveries in flight at once in this instance; 0 turns delivery off here (events still queue). */
  workers: number;
  /** The first retry's delay; each further retry doubles it. */
  retryBaseMs: number;
  /** Attempts before a delivery is marked failed. */
  maxAttempts: number;
  /** How long one attempt waits for the receiver's answer. */
  timeoutMs: number;
  /** Whether URLs on loopback, private, link-local or unspecified addresses are accepted. */
  allowPrivateUrls: boolean;
  /** Consecutive failed attempts after which a webhook's deliveries pause (0: never); see pauseMs. */
  pauseAfterFailures: number;
  /** Deliveries delivered or failed longer than this many days ago are deleted with their attempts; 0 keeps them. */
  deliveryRetentionDays: number;
}

/** The webhook secret key outside production: fixed, so secrets stored in development stay readable across restarts. */
export const DEVELOPMENT_WEBHOOK_SECRET_KEY = 'leads-api-development-webhook-secret-key-not-for-production';

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return def;
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

/** Parses durations like `12h`, `30m`, `45s`, `7d` or plain seconds. */
export function parseDuration(name: string, raw: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(raw);
  if (!m) throw new ConfigError(name, `must be a duration like 12h, 30m, 45s or 7d, got "${raw}"`);
  const n = Number(m[1]);
  const unit = m[2] || 's';
  const seconds = n * { s: 1, m: 60, h: 3600, d: 86400 }[unit as 's' | 'm' | 'h' | 'd'];
  if (seconds < 1) throw new ConfigError(name, 'must be at least 1 second');
  return seconds;
}

/** The database the environment names: PostgreSQL when DATABASE_URL is set, else SQLite. */
export function databaseType(env: Env = process.env): DatabaseConfig['type'] {
  return str(env, 'DATABASE_URL') ? 'postgres' : 'sqlite';
}

function databaseConfig(env: Env): DatabaseConfig {
  const url = str(env, 'DATABASE_URL');
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid URL');
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new ConfigError('DATABASE_URL', `must start with postgres:// (got "${parsed.protocol}//")`);
    }
    return {
      type: 'postgres',
      url,
      poolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
      connectTimeoutMs: int(env, 'DATABASE_CONNECT_TIMEOUT_MS', 5000, 100, 600000),
      statementTimeoutMs: int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 15000, 0, 3600000),
    };
  }
  return { type: 'sqlite', path: resolve(str(env, 'DATABASE_PATH') ?? './data/leads.sqlite') };
}

/**
 * In development without JWT_SECRET, a random secret is kept beside the SQLite file so that tokens
 * survive restarts. Several processes may start at once: the first writer wins (`wx`), the rest read it.
 */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw new ConfigError('DATABASE_PATH', `folder ${dataDir} cannot be created (${(e as Error).message})`);
  }
  try {
    writeFileSync(file, randomBytes(48).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError('JWT_SECRET', `is unset and ${file} cannot be written (${(e as Error).message})`);
    }
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new ConfigError('JWT_SECRET', `is unset and ${file} holds no usable secret`);
  return secret;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnvRaw = str(env, 'NODE_ENV') ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    throw new ConfigError('NODE_ENV', `must be development, production or test, got "${nodeEnvRaw}"`);
  }
  const nodeEnv = nodeEnvRaw as AppConfig['nodeEnv'];
  const isProduction = nodeEnv === 'production';
  const database = databaseConfig(env);

  let secret = str(env, 'JWT_SECRET');
  if (secret !== undefined && secret.length < 32 && isProduction) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters in production');
  }
  if (secret === undefined) {
    if (isProduction) throw new ConfigError('JWT_SECRET', 'is required in production (at least 32 characters)');
    const dataDir = dirname(resolve(str(env, 'DATABASE_PATH') ?? './data/leads.sqlite'));
    secret = developmentSecret(dataDir);
  }
  const ttl = str(env, 'JWT_TTL') ?? '12h';
  const ttlSeconds = parseDuration('JWT_TTL', ttl);

  const bEmail = str(env, 'BOOTSTRAP_ADMIN_EMAIL');
  const bPassword = str(env, 'BOOTSTRAP_ADMIN_PASSWORD');
  const bAccount = str(env, 'BOOTSTRAP_ACCOUNT_NAME');
  let bootstrap: BootstrapConfig | null = null;
  if (bEmail || bPassword) {
    if (!bEmail) throw new ConfigError('BOOTSTRAP_ADMIN_EMAIL', 'is required when BOOTSTRAP_ADMIN_PASSWORD is set');
    if (!bPassword) throw new ConfigError('BOOTSTRAP_ADMIN_PASSWORD', 'is required when BOOTSTRAP_ADMIN_EMAIL is set');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(bEmail)) {
      throw new ConfigError('BOOTSTRAP_ADMIN_EMAIL', `must be an email address, got "${bEmail}"`);
    }
    if (bPassword.length < 8) throw new ConfigError('BOOTSTRAP_ADMIN_PASSWORD', 'must be at least 8 characters');
    bootstrap = { email: normalizeEmail(bEmail), password: bPassword, accountName: bAccount ?? 'Default account' };
  }

  const trustRaw = str(env, 'TRUST_PROXY');
  let trustProxy: AppConfig['trustProxy'] = false;
  if (trustRaw !== undefined) {
    const v = trustRaw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) trustProxy = true;
    else if (['0', 'false', 'no', 'off'].includes(v)) trustProxy = false;
    else if (/^\d+$/.test(v)) trustProxy = Number(v);
    else if (/^[0-9a-f.:/,\s]+$|^(loopback|linklocal|uniquelocal)(,|$)/i.test(v)) trustProxy = trustRaw;
    else throw new ConfigError('TRUST_PROXY', `must be true, false, a hop count or a list of addresses, got "${trustRaw}"`);
  }

  const logLevel = (str(env, 'LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info')).toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const webhookSecretKey = str(env, 'WEBHOOK_SECRET_KEY');
  if (isProduction && webhookSecretKey === undefined) {
    throw new ConfigError('WEBHOOK_SECRET_KEY', 'is required in production (at least 32 characters)');
  }
  if (webhookSecretKey !== undefined && webhookSecretKey.length < 32) {
    throw new ConfigError('WEBHOOK_SECRET_KEY', 'must be at least 32 characters');
  }

  return {
    nodeEnv,
    isProduction,
    port: int(env, 'PORT', 3000, 0, 65535),
    database,
    jwt: { secret, ttl, ttlSeconds },
    bootstrap,
    trustProxy,
    logLevel,
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 6000, 0, 10_000_000),
    loginRateLimitPerMinute: int(env, 'LOGIN_RATE_LIMIT_PER_MINUTE', 10, 0, 1_000_000),
    demoData: bool(env, 'DEMO_DATA', nodeEnv === 'development') && !isProduction,
    idempotencyTtlSeconds: int(env, 'IDEMPOTENCY_TTL_SECONDS', 86400, 1, 30 * 86400),
    auditRetentionDays: int(env, 'AUDIT_RETENTION_DAYS', 365, 0, 36500),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 600000),
    principalCache: {
      maxEntries: int(env, 'PRINCIPAL_CACHE_MAX_ENTRIES', 10000, 0, 1_000_000),
      ttlSeconds: int(env, 'PRINCIPAL_CACHE_TTL_SECONDS', 60, 0, 3600),
    },
    webhooks: {
      secretKey: webhookSecretKey ?? DEVELOPMENT_WEBHOOK_SECRET_KEY,
      workers: int(env, 'WEBHOOK_WORKERS', 16, 0, 256),
      retryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 10000, 1, 86_400_000),
      maxAttempts: int(env, 'WEBHOOK_MAX_ATTEMPTS', 12, 1, 100),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10000, 100, 120_000),
      allowPrivateUrls: bool(env, 'WEBHOOK_ALLOW_PRIVATE_URLS', !isProduction),
      pauseAfterFailures: int(env, 'WEBHOOK_PAUSE_AFTER_FAILURES', 5, 0, 1000),
      deliveryRetentionDays: int(env, 'WEBHOOK_DELIVERY_RETENTION_DAYS', 30, 0, 36500),
    },
  };
}
