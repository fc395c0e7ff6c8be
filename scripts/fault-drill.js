'use strict';
// Fault drill on PostgreSQL, under a steady load of lead creates:
//  1. terminate the service's database connections;
//  2. stop PostgreSQL for a few seconds: requests must get 503 with the error body within a bounded
//     time (no crash, no hang) and /health must say 503;
//  3. start PostgreSQL again: the service must recover by itself (/health 200, creates succeed);
//  4. SIGTERM under load: requests already accepted finish, the process exits 0;
//  5. SIGKILL under load, then a new instance on the same database;
// then check the SQL invariants (no lead without its lead_created, pointers in range, no orphan
// idempotency record), that every 201 answered has its lead in the database, and the audit log: every
// acknowledged write has its entry (all phases), every acknowledged read too after SIGTERM; the reads
// a SIGKILL lost are counted.
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

/** A request over a fresh connection (no keep-alive), so a refused connection is distinguishable from a dropped request. */
function send(method, path, headers, body, timeoutMs = 20000) {
  return new Promise((resolve) => {
    const started = Date.now();
    const data = body === undefined ? '' : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port: PORT,
        path,
        method,
        agent: false,
        headers: {
          ...headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }),
        },
      },
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
          resolve({ method, path, status: res.statusCode, body: parsed, started, ms: Date.now() - started });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('client timeout')));
    req.on('error', (e) => resolve({ method, path, status: 0, error: e.code || e.message, started, ms: Date.now() - started }));
    req.end(data);
  });
}
const post = (path, headers, body, timeoutMs) => send('POST', path, headers, body, timeoutMs);

/**
 * Lead creates, with a lead source created (a write audited in its own transaction) and a lead
 * source list read (an audit entry written in a batch) beside every other one. Paths and names
 * are unique, so each answer can be matched with its audit entry.
 */
function load(headers, tag) {
  const results = [];
  let stop = false;
  let seq = 0;
  const workers = Array.from({ length: WORKERS }, async (_, w) => {
    while (!stop) {
      const i = seq++;
      let r;
      if (w % 4 === 1) r = await post('/lead-sources', headers, { name: `src-${tag}-${i}` });
      else if (w % 4 === 3) r = await send('GET', `/lead-sources?name=read-${tag}-${i}`, headers);
      else r = await post('/leads', { ...headers, 'idempotency-key': `${tag}-${i}` }, { firstName: `F${i}`, lastName: tag });
      results.push(r);
      if (r.status >= 300) await h.sleep(50);
    }
  });
  return { results, stop: async () => ((stop = true), await Promise.all(workers)) };
}

/** Acknowledged requests of a load whose audit entry is missing: writes (lead sources) and reads. */
async function missingEntries(url, results) {
  const names = results.filter((r) => r.method === 'POST' && r.path === '/lead-sources' && r.status === 201).map((r) => r.body.name);
  const reads = results.filter((r) => r.method === 'GET' && r.status === 200).map((r) => r.path);
  const [w] = await h.query(
    url,
    `SELECT count(*)::int AS n FROM unnest($1::text[]) AS s(name)
      WHERE NOT EXISTS (SELECT 1 FROM audit_logs a WHERE a.event = 'lead_source_created' AND a.status_code = 201 AND a.data->'body'->>'name' = s.name)`,
    [names],
  );
  const [r] = await h.query(
    url,
    `SELECT count(*)::int AS n FROM unnest($1::text[]) AS s(path)
      WHERE NOT EXISTS (SELECT 1 FROM audit_logs a WHERE a.request_method = 'GET' AND a.request_path = s.path AND a.status_code = 200)`,
    [reads],
  );
  return { writes: names.length, writesMissing: w.n, reads: reads.length, readsMissing: r.n };
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
    const createMs = await waitFor(
      async () => (await post('/leads', auth.headers, { firstName: 'Y', lastName: 'Recovered' })).status === 201,
      60000,
    );
    check(createMs !== null, `after PostgreSQL restarts, creates succeed again after ${createMs} ms`);
    await h.sleep(1500);
    await run.stop();
    const byStatus = {};
    for (const r of run.results) byStatus[r.status] = (byStatus[r.status] || 0) + 1;
    const slowest = Math.max(...run.results.map((r) => r.ms));
    const unexpected = run.results.filter((r) => ![200, 201, 503].includes(r.status));
    check(
      unexpected.length === 0,
      `outage load: statuses ${JSON.stringify(byStatus)}; unexpected: ${JSON.stringify(unexpected.slice(0, 3))}`,
    );
    if (unexpected.length) {
      const logged = inst.output
        .join('')
        .split('\n')
        .filter((l) => /Unhandled error/.test(l));
      console.log(logged.slice(0, 3).join('\n').slice(0, 3000));
    }
    check(slowest <= BOUND_MS, `outage load: slowest request ${slowest} ms (bound ${BOUND_MS} ms)`);
    check(inst.child.exitCode === null, 'the service process survived the outage');
    console.log(
      `outage: PostgreSQL away ${startedAt - stoppedAt} ms, recovery to healthy ${healthMs} ms, 5xx answered ${byStatus[503] || 0}`,
    );

    // 4: SIGTERM under load.
    const run2 = load(auth.headers, 'sigterm');
    await h.sleep(1500);
    const sigtermAt = Date.now();
    const exit = await h.stopInstance(inst, 'SIGTERM');
    await run2.stop();
    check(exit.code === 0, `SIGTERM under load: process exited with code ${exit.code}`);
    const dropped = run2.results.filter((r) => r.status === 0 && r.started < sigtermAt && r.error !== 'ECONNREFUSED');
    check(
      dropped.length === 0,
      `SIGTERM under load: ${run2.results.filter((r) => r.started < sigtermAt).length} requests in flight or before, ${dropped.length} dropped (${JSON.stringify(dropped.slice(0, 3))})`,
    );
    const okSigterm = run2.results.filter((r) => r.status === 201 && r.path === '/leads').length;

    // 5: SIGKILL under load, then a new instance on the same database.
    inst = await h.startInstance({ port: PORT, databaseUrl: db.url });
    const auth3 = await h.login(inst.base);
    const run3 = load(auth3.headers, 'sigkill');
    await h.sleep(1500);
    const killedAt = Date.now();
    await h.stopInstance(inst, 'SIGKILL');
    await run3.stop();
    const answeredBeforeKill = run3.results.filter((r) => r.status > 0 && r.started < killedAt).length;
    console.log(`SIGKILL under load: ${answeredBeforeKill} requests answered before the kill`);
    inst = await h.startInstance({ port: PORT, databaseUrl: db.url });
    const recovered = await post('/leads', auth3.headers, { firstName: 'Z', lastName: 'AfterKill' });
    check(recovered.status === 201, `after SIGKILL, a new instance creates leads (${recovered.status})`);
    // Reads queued when PostgreSQL was away are written once it is back (retried every second).
    await h.sleep(2500);

    // The audit log: acknowledged writes all recorded; reads all recorded but for the SIGKILL's last batch.
    const audit = {
      outage: await missingEntries(db.url, run.results),
      sigterm: await missingEntries(db.url, run2.results),
      sigkill: await missingEntries(db.url, run3.results),
    };
    for (const [phase, m] of Object.entries(audit)) {
      check(m.writesMissing === 0, `audit (${phase}): ${m.writes} acknowledged writes, ${m.writesMissing} without their entry`);
    }
    check(
      audit.outage.readsMissing === 0,
      `audit (outage): ${audit.outage.reads} acknowledged reads, ${audit.outage.readsMissing} without their entry`,
    );
    check(
      audit.sigterm.readsMissing === 0,
      `audit (SIGTERM): ${audit.sigterm.reads} acknowledged reads, ${audit.sigterm.readsMissing} without their entry`,
    );
    console.log(
      `audit (SIGKILL): ${audit.sigkill.reads} acknowledged reads, ${audit.sigkill.readsMissing} lost with the process (read entries are batched)`,
    );

    // Every 201 has its lead; invariants hold.
    const ids = [...run.results, ...run2.results, ...run3.results]
      .filter((r) => r.status === 201 && r.path === '/leads')
      .map((r) => r.body.id);
    const rows = await h.query(db.url, `SELECT count(*)::int AS n FROM leads WHERE id = ANY($1::int[])`, [ids]);
    check(rows[0].n === ids.length, `${ids.length} leads answered 201, ${rows[0].n} found in the database`);
    const [{ n: total }] = await h.query(db.url, `SELECT count(*)::int AS n FROM leads`);
    const violations = await h.invariantViolations(db.url);
    check(
      violations.length === 0,
      `invariants: ${violations.length ? violations.join('; ') : 'no lead without lead_created, pointers in range, no orphan idempotency record'}`,
    );
    console.log(
      `faults: leads created ${total}, 5xx during outage ${byStatus[503] || 0}, recovery ${healthMs} ms, creates finished during SIGTERM ${okSigterm}, ` +
        `audit entries of acknowledged writes missing: ${audit.outage.writesMissing + audit.sigterm.writesMissing + audit.sigkill.writesMissing}`,
    );
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
