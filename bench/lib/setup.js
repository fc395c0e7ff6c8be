'use strict';
// Bringing a database to the measured state: first start of the service (migrations, bootstrap),
// a session for the admin, the seed written in SQL while the service is stopped, and a fresh
// service process (so caches, memory and connection pools start from the seeded state).

const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Database = require('better-sqlite3');
const { ADMIN, startService, stopProcess } = require('./procs');
const { createScratchDatabase, seedAdmin, seedPostgres, withClient } = require('./seed-pg');
const { seedAdminSqlite, seedSqlite } = require('./seed-sqlite');
const { http, log, onCleanup } = require('./util');

/** Logs in as the bench admin: {token} or {error} (e.g. while POST /auth/login is not implemented). */
async function login(svc) {
  const res = await http(svc.base, 'POST', '/auth/login', { body: ADMIN }).catch((e) => ({ status: 0, body: e.message }));
  if (res.status === 200 && res.body?.token) return { token: res.body.token };
  return { error: `POST /auth/login answered ${res.status || 'nothing'}: ${JSON.stringify(res.body).slice(0, 200)}` };
}

/** Login, seeding the admin in SQL first when the bootstrap did not create it. */
async function session(svc, seedAdminFallback) {
  let s = await login(svc);
  if (s.token) return s;
  log(`${s.error}; seeding the admin in SQL and retrying`);
  await seedAdminFallback();
  s = await login(svc);
  if (s.error) log(`${s.error}: service scenarios will be pending`);
  return s;
}

/**
 * Scratch database `leads_bench_<ts>`, seeded. Returns {db, svc, auth, fx, startMs} with the
 * service running on the seeded database; the caller stops it and calls db.drop().
 */
async function preparePostgres(opts, { beforeRestart } = {}) {
  const db = await createScratchDatabase(opts.adminUrl);
  log(`scratch database ${db.name}`);
  const svcOptions = { port: opts.port, databaseUrl: db.url, extraEnv: { DATABASE_POOL_SIZE: String(opts.pool) } };
  let svc = await startService(svcOptions);
  const startMs = { first: svc.startMs };
  const auth = await session(svc, () => seedAdmin(db.url, ADMIN));
  await stopProcess(svc);

  const mainAccountId = await withClient(db.url, async (c) => {
    const { rows } = await c.query(
      `SELECT m.account_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1 ORDER BY m.is_primary DESC, m.id LIMIT 1`,
      [ADMIN.email],
    );
    return rows[0]?.account_id;
  });
  if (!mainAccountId) throw new Error('the bench admin has no account after start-up and SQL seeding');
  log(`seeding PostgreSQL: ${opts.leads} leads${opts.auditSeed ? ' with their audit rows' : ''}, ${opts.accounts} extra accounts`);
  const started = performance.now();
  const fx = await seedPostgres(db.url, {
    mainAccountId,
    actor: ADMIN.email,
    leads: opts.leads,
    auditRows: opts.auditSeed,
    extraAccounts: opts.accounts,
  });
  fx.timings.totalMs = performance.now() - started;
  log(`seeded in ${(fx.timings.totalMs / 1000).toFixed(1)} s`);
  if (beforeRestart) await beforeRestart(db);

  svc = await startService({ ...svcOptions, cpuProfDir: opts.cpuProfDir });
  startMs.restart = svc.startMs;
  return { db, svc, auth, fx, startMs };
}

/** A temporary folder with the SQLite file, seeded; like preparePostgres. */
async function prepareSqlite(opts) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leads-bench-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const removeCleanup = onCleanup(`remove ${dir}`, removeDir);
  const dbPath = path.join(dir, 'bench.sqlite');
  let svc = await startService({ port: opts.port, databasePath: dbPath });
  const startMs = { first: svc.startMs };
  const auth = await session(svc, () => seedAdminSqlite(dbPath, ADMIN));
  await stopProcess(svc);

  const handle = new Database(dbPath, { readonly: true });
  const row = handle
    .prepare(
      `SELECT m.account_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = ? ORDER BY m.is_primary DESC, m.id LIMIT 1`,
    )
    .get(ADMIN.email);
  handle.close();
  if (!row) throw new Error('the bench admin has no account after start-up and SQL seeding');
  log(`seeding SQLite: ${opts.sqliteLeads} leads${opts.auditSeed ? ' with their audit rows' : ''}`);
  const started = performance.now();
  const fx = seedSqlite(dbPath, { mainAccountId: row.account_id, actor: ADMIN.email, leads: opts.sqliteLeads, auditRows: opts.auditSeed });
  fx.timings.totalMs = performance.now() - started;

  svc = await startService({ port: opts.port, databasePath: dbPath, cpuProfDir: opts.cpuProfDir });
  startMs.restart = svc.startMs;
  const remove = () => {
    removeCleanup();
    removeDir();
  };
  return { dbPath, svc, auth, fx, startMs, remove };
}

module.exports = { preparePostgres, prepareSqlite };
