'use strict';
// Shared helpers of the drills in scripts/: a scratch PostgreSQL database, service instances
// started from dist/, HTTP with a bounded timeout, and a concurrency pool.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');
const { Client } = require('pg');

const ROOT = path.resolve(__dirname, '..', '..');
const ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const JWT_SECRET = 'drill-secret-0123456789-0123456789-0123456789';
const WEBHOOK_SECRET_KEY = 'drill-webhook-key-0123456789-0123456789-01';
const ADMIN = { email: 'admin@drill.example.com', password: 'drill-password-1' };

async function withAdmin(fn) {
  const c = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function createDatabase(prefix) {
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

async function dropDatabase(name) {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => undefined);
}

async function query(url, sql, params = []) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** Starts `node dist/src/main.js` with the given settings; resolves once /health answers 200. */
async function startInstance({ port, databaseUrl, env = {}, timeoutMs = 30000 }) {
  const child = spawn(process.execPath, ['--max-old-space-size=160', '--max-semi-space-size=32', path.join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      JWT_SECRET,
      WEBHOOK_SECRET_KEY,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      LOGIN_RATE_LIMIT_PER_MINUTE: '0',
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      BOOTSTRAP_ACCOUNT_NAME: 'Drill account',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  child.stdout.on('data', (d) => output.push(String(d)));
  child.stderr.on('data', (d) => output.push(String(d)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await http(base, 'GET', '/health', { timeoutMs: 1000 }).catch(() => null);
    if (res && res.status === 200) return { child, base, port, output, exited };
    if (child.exitCode !== null) break;
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`instance on port ${port} did not become healthy:\n${output.join('').slice(-3000)}`);
}

async function stopInstance(inst, signal = 'SIGTERM', timeoutMs = 15000) {
  if (inst.child.exitCode !== null || inst.child.signalCode !== null) return inst.exited;
  inst.child.kill(signal);
  const timer = setTimeout(() => inst.child.kill('SIGKILL'), timeoutMs);
  const result = await inst.exited;
  clearTimeout(timer);
  return result;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One HTTP request with a hard timeout; resolves {status, headers, body, ms} or rejects on network error. */
async function http(base, method, urlPath, { headers = {}, body, timeoutMs = 15000 } = {}) {
  const started = Date.now();
  const res = await fetch(base + urlPath, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* keep text */
  }
  return { status: res.status, headers: res.headers, body: parsed, ms: Date.now() - started };
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
async function pool(n, concurrency, task) {
  const results = new Array(n);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(workers);
  return results;
}

async function login(base) {
  const res = await http(base, 'POST', '/auth/login', { body: ADMIN });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const accountId = res.body.primaryAccount?.accountId ?? res.body.accounts[0].accountId;
  return {
    token: res.body.token,
    accountId: String(accountId),
    headers: { authorization: `Bearer ${res.body.token}`, 'x-account-id': String(accountId) },
  };
}

/** Creates `n` users and an active default rotation over them; returns their emails. */
async function setupRotation(base, headers, n, tag) {
  const emails = [];
  for (let i = 0; i < n; i++) {
    const email = `rep${i}-${tag}@drill.example.com`;
    const r = await http(base, 'POST', '/users', { headers, body: { email, name: `Rep ${i}`, role: 'user' } });
    if (r.status !== 201) throw new Error(`POST /users: ${r.status} ${JSON.stringify(r.body)}`);
    emails.push(email);
  }
  const rot = await http(base, 'POST', '/lead-rotations', { headers, body: { name: 'default', userRotationArray: emails } });
  if (rot.status !== 201) throw new Error(`POST /lead-rotations: ${rot.status} ${JSON.stringify(rot.body)}`);
  return { emails, rotationId: rot.body.id };
}

/** The SQL invariants every drill checks afterwards. Returns a list of violations (empty when fine). */
async function invariantViolations(url) {
  const out = [];
  const [a] = await query(
    url,
    `SELECT count(*)::int AS n FROM leads l WHERE (SELECT count(*) FROM audit_logs a WHERE a.lead_id = l.id AND a.account_id = l.account_id AND a.event = 'lead_created') <> 1`,
  );
  if (a.n) out.push(`${a.n} leads without exactly one lead_created entry`);
  const [b] = await query(
    url,
    `SELECT count(*)::int AS n FROM lead_rotations WHERE current_position < 0 OR (jsonb_array_length(user_rotation_array) > 0 AND current_position >= jsonb_array_length(user_rotation_array)) OR (jsonb_array_length(user_rotation_array) = 0 AND current_position <> 0)`,
  );
  if (b.n) out.push(`${b.n} rotation pointers out of range`);
  const [c] = await query(
    url,
    `SELECT count(*)::int AS n FROM idempotency_keys k WHERE k.request_path LIKE '/leads%' AND k.response_status = 201 AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = (k.response_body->>'id')::int AND l.account_id = k.account_id)`,
  );
  if (c.n) out.push(`${c.n} idempotency records whose lead does not exist`);
  const [d] = await query(
    url,
    `SELECT count(*)::int AS n FROM audit_logs a WHERE a.event = 'lead_created' AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = a.lead_id)
       AND NOT EXISTS (SELECT 1 FROM audit_logs d WHERE d.event = 'lead_deleted' AND d.lead_id = a.lead_id)`,
  );
  if (d.n) out.push(`${d.n} lead_created entries without their lead`);
  return out;
}

module.exports = {
  ADMIN,
  createDatabase,
  dropDatabase,
  query,
  startInstance,
  stopInstance,
  http,
  pool,
  sleep,
  login,
  setupRotation,
  invariantViolations,
};
