'use strict';
// Fault drill on PostgreSQL, under a steady load of lead creates:
//  1. terminate the service's database connections;
//  2. stop PostgreSQL for a few seconds: requests must get 503 with the error body within a bounded
//     time (no crash, no hang) and /health must say 503;
//  3. start PostgreSQL again: the service must recover by itself (/health 200, creates succeed);
//  4. SIGTERM under load: requests already accepted finish, the process exits 0;
// then check the SQL invariants (no lead without its lead_created, pointers in range, no orphan
// idempotency record) and that every 201 answered has its lead in the database.
const http = require('node:http');
const { execFileSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const h = require('./lib/harness');

const PORT = 3301;
const WORKERS = 8;
const BOUND_MS = 8000; // connect timeout (2 s) + statement timeout margin: no request may take longer
const cluster = readdirSync('/etc/postgresql')[0];

function pg(action) {
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])], {
    stdio: 'inherit',
  });
}

/** POST over a fresh connection (no keep-alive), so a refused connection is distinguishable from a dropped request. */
function post(path, headers, body, timeoutMs = 20000) {
  return new Promise((resolve) => {
    const started = Date.now();
    const data = JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port: PORT, path, method: 'POST', agent: false, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let parsed = null;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
          resolve({ status: res.statusCode, body: parsed, started, ms: Date.now() - started });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('client timeout')));
    req.on('error', (e) => resolve({ status: 0, error: e.code || e.message, started, ms: Date.now() - started }));
    req.end(data);
  });
}

function load(headers, tag) {
  const results = [];
  let stop = false;
  let seq = 0;
  const workers = Array.from({ length: WORKERS }, async () => {
    while (!stop) {
      const i = seq++;
      const r = await post('/leads', { ...headers, 'idempotency-key': `${tag}-${i}` }, { firstName: `F${i}`, lastName: tag });
      results.push(r);
      if (r.status !== 201) await h.sleep(50);
    }
  });
  return { results, stop: async () => ((stop = true), await Promise.all(workers)) };
}

async function waitFor(fn, timeoutMs) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await fn().catch(() => false)) return Date.now() - t0;
    await h.sleep(100);
  }
  return null;
}

async function main() {
  const failures = [];
  const check = (ok, message) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
    if (!ok) failures.push(message);
  };
  const db = await h.createDatabase('leads_faults');
  let inst = null;
  let pgStopped = false;
  try {
    inst = await h.startInstance({
      port: PORT,
      databaseUrl: db.url,
      env: { DATABASE_CONNECT_TIMEOUT_MS: '2000', DATABASE_STATEMENT_TIMEOUT_MS: '5000', SHUTDOWN_TIMEOUT_MS: '10000' },
    });
    const base = inst.base;
    const auth = await h.login(base);
    await h.setupRotation(base, auth.headers, 3, 'f');

    // 1–3: connections killed, then the server stopped and started, all under load.
    const run = load(auth.headers, 'outage');
    await h.sleep(1500);
    const [{ n: killed }] = await h.query(
      db.url,
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'leads-api'`,
    );
    console.log(`terminated ${killed} service connections`);
    await h.sleep(1500);
    pg('stop');
    pgStopped = true;
    const stoppedAt = Date.now();
    await h.sleep(1000);
    const healthDown = await h.http(base, 'GET', '/health', { timeoutMs: BOUND_MS }).catch((e) => ({ status: 0, body: String(e) }));
    check(healthDown.status === 503, `while PostgreSQL is down, /health answers ${healthDown.status}`);
    const during = await post('/leads', { ...auth.headers, 'idempotency-key': 'during-outage' }, { firstName: 'X', lastName: 'Outage' });
    check(
      during.status === 503 && during.body && typeof during.body.error === 'string' && !JSON.stringify(during.body).includes('    at '),
      `while PostgreSQL is down, POST /leads answers ${during.status} ${JSON.stringify(during.body)} in ${during.ms} ms`,
    );
    await h.sleep(3000);
    pg('start');
    pgStopped = false;
    const startedAt = Date.now();
    const healthMs = await waitFor(async () => (await h.http(base, 'GET', '/health', { timeoutMs: 3000 })).status === 200, 60000);
    check(healthMs !== null, `after PostgreSQL restarts, /health is 200 again after ${healthMs} ms`);
    const createMs = await waitFor(async () => (await post('/leads', auth.headers, { firstName: 'Y', lastName: 'Recovered' })).status === 201, 60000);
    check(createMs !== null, `after PostgreSQL restarts, creates succeed again after ${createMs} ms`);
    await h.sleep(1500);
    await run.stop();
    const byStatus = {};
    for (const r of run.results) byStatus[r.status] = (byStatus[r.status] || 0) + 1;
    const slowest = Math.max(...run.results.map((r) => r.ms));
    const unexpected = run.results.filter((r) => ![201, 503].includes(r.status));
    check(unexpected.length === 0, `outage load: statuses ${JSON.stringify(byStatus)}; unexpected: ${JSON.stringify(unexpected.slice(0, 3))}`);
    if (unexpected.length) {
      const logged = inst.output.join('').split('\n').filter((l) => /Unhandled error/.test(l));
      console.log(logged.slice(0, 3).join('\n').slice(0, 3000));
    }
    check(slowest <= BOUND_MS, `outage load: slowest request ${slowest} ms (bound ${BOUND_MS} ms)`);
    check(inst.child.exitCode === null, 'the service process survived the outage');
    console.log(`outage: PostgreSQL away ${startedAt - stoppedAt} ms, recovery to healthy ${healthMs} ms, 5xx answered ${byStatus[503] || 0}`);

    // 4: SIGTERM under load.
    const run2 = load(auth.headers, 'sigterm');
    await h.sleep(1500);
    const sigtermAt = Date.now();
    const exit = await h.stopInstance(inst, 'SIGTERM');
    await run2.stop();
    check(exit.code === 0, `SIGTERM under load: process exited with code ${exit.code}`);
    const dropped = run2.results.filter((r) => r.status === 0 && r.started < sigtermAt && r.error !== 'ECONNREFUSED');
    check(dropped.length === 0, `SIGTERM under load: ${run2.results.filter((r) => r.started < sigtermAt).length} requests in flight or before, ${dropped.length} dropped (${JSON.stringify(dropped.slice(0, 3))})`);
    const okSigterm = run2.results.filter((r) => r.status === 201).length;

    // Every 201 has its lead; invariants hold.
    const ids = [...run.results, ...run2.results].filter((r) => r.status === 201).map((r) => r.body.id);
    const rows = await h.query(db.url, `SELECT count(*)::int AS n FROM leads WHERE id = ANY($1::int[])`, [ids]);
    check(rows[0].n === ids.length, `${ids.length} leads answered 201, ${rows[0].n} found in the database`);
    const [{ n: total }] = await h.query(db.url, `SELECT count(*)::int AS n FROM leads`);
    const violations = await h.invariantViolations(db.url);
    check(violations.length === 0, `invariants: ${violations.length ? violations.join('; ') : 'no lead without lead_created, pointers in range, no orphan idempotency record'}`);
    console.log(`faults: leads created ${total}, 5xx during outage ${byStatus[503] || 0}, recovery ${healthMs} ms, creates finished during SIGTERM ${okSigterm}`);
  } catch (e) {
    failures.push(String(e && e.stack ? e.stack : e));
    console.error(e);
    if (inst) console.error(inst.output.join('').slice(-3000));
  } finally {
    if (pgStopped) pg('start');
    if (inst) await h.stopInstance(inst, 'SIGKILL');
    await h.dropDatabase(db.name);
  }
  console.log(`faults: ${failures.length === 0 ? 'passed' : `${failures.length} check(s) failed`}`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main();
