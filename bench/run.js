#!/usr/bin/env node
'use strict';
// `npm run bench`: the service (dist/, built by `nest build`) against a bare node:http floor doing
// the same SQL, on a scratch PostgreSQL database and a scratch SQLite file. See BENCHMARKS.md.

const { readMemory, startBaseline, startCeiling, stopProcess } = require('./lib/procs');
const { measureInterleaved } = require('./lib/load');
const { SCENARIOS, TARGETS, selectScenarios } = require('./lib/scenarios');
const { preparePostgres, prepareSqlite } = require('./lib/setup');
const { DEFAULT_ADMIN_URL, serverInfo, waitQuiet } = require('./lib/seed-pg');
const { machineInfo, evaluate, renderMarkdown, renderMachine } = require('./lib/report');
const { http, log, runCleanup, sleep, round } = require('./lib/util');

const USAGE = `Usage: npm run bench -- [options]    (or: node bench/run.js [options] after \`npx nest build\`)

  --only a,b          run a subset: scenario ids (pg.get), names (get, create-rotation), databases
                      (pg, sqlite), tags (create, list, deep, search, multi) or coldstart
  --duration N        seconds measured per run (default 20)
  --warmup N          seconds of warm-up before each run (default 3)
  --slices N          the service and its baselines measured interleaved in N runs each of
                      duration ÷ N (A B, B A, …; default 2; 1 = one after the other)
  --connections N     concurrent connections (default 50)
  --timeout N         per-request timeout in seconds; a timeout counts as an error (default 30)
  --leads N           leads seeded in the PostgreSQL account (default 1000000)
  --sqlite-leads N    leads seeded in the SQLite account (default 100000)
  --accounts N        accounts of the multi-account create scenario (default 5)
  --pool N            database pool size of the service and of the floor (default 10)
  --port N            service port; the floor uses N+1, the NestJS ceiling N+2, NestJS + the
                      floor's SQL N+3, the lean floor N+4, NestJS + its SQL N+5 and the webhook
                      receiver N+6 (default 3410)
  --no-ceiling        do not measure the NestJS ceiling nor NestJS + the floor's SQL
                      (bench/ceiling-nest.js) of get, create and the deep page
  --no-audit-seed     do not write lead_created audit rows for the seeded leads
  --json              print one JSON object on stdout instead of the Markdown report
  DATABASE_URL        PostgreSQL admin URL (default ${DEFAULT_ADMIN_URL})`;

const usageError = (message) => Object.assign(new Error(message), { usage: true });

function parseArgs(argv) {
  const opts = {
    only: null,
    duration: 20,
    warmup: 3,
    slices: 2,
    connections: 50,
    timeout: 30,
    leads: 1_000_000,
    sqliteLeads: 100_000,
    accounts: 5,
    pool: 10,
    port: 3410,
    auditSeed: true,
    ceiling: true,
    json: false,
    adminUrl: process.env.DATABASE_URL || DEFAULT_ADMIN_URL,
  };
  const numeric = {
    '--duration': 'duration',
    '--warmup': 'warmup',
    '--slices': 'slices',
    '--connections': 'connections',
    '--timeout': 'timeout',
    '--leads': 'leads',
    '--sqlite-leads': 'sqliteLeads',
    '--accounts': 'accounts',
    '--pool': 'pool',
    '--port': 'port',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => inline ?? argv[++i];
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (flag === '--json') opts.json = true;
    else if (flag === '--no-audit-seed') opts.auditSeed = false;
    else if (flag === '--no-ceiling') opts.ceiling = false;
    else if (flag === '--only') opts.only = value();
    else if (numeric[flag]) {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw usageError(`${flag} needs a non-negative number`);
      opts[numeric[flag]] = n;
    } else throw usageError(`unknown option ${argv[i]}\n\n${USAGE}`);
  }
  if (
    opts.duration < 1 ||
    opts.slices < 1 ||
    !Number.isInteger(opts.slices) ||
    opts.connections < 1 ||
    opts.accounts < 1 ||
    opts.pool < 1 ||
    opts.leads < 100 ||
    opts.sqliteLeads < 100
  ) {
    throw usageError(
      '--slices must be a whole number ≥ 1, --duration, --connections, --accounts and --pool must be ≥ 1, --leads and --sqlite-leads ≥ 100',
    );
  }
  return opts;
}

const roundAll = (obj) => Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, round(v, 0)]));

/**
 * Runs the scenarios of one database, each measuring the service and its floor (and the NestJS ceiling
 * and NestJS + the floor's SQL for the scenarios that name them) interleaved, reads before creates.
 */
async function runScenarios(scenarios, context, opts, report) {
  const { svc, baseline: fullFloor, ceiling, bound: fullBound, lean, auth, fx } = context;
  // Reads before creates; the webhook's last (it leaves an active webhook in the main account).
  const rank = (s) => Number(s.tags.includes('create')) + 2 * Number(s.tags.includes('webhook'));
  const order = [...scenarios].sort((a, b) => rank(a) - rank(b));
  const results = new Map();
  for (const s of order) {
    // `leanFloor` scenarios are measured against the lean floor (and NestJS + its SQL).
    const baseline = s.leanFloor ? lean.baseline : fullFloor;
    const bound = s.leanFloor ? lean.bound : fullBound;
    const makeNext = await s.requests(fx, auth.token ?? 'none', svc);
    const runOpts = { ...opts, connections: s.connections ?? opts.connections };
    // The service with its baselines, or with the scenario it is measured against, interleaved (see
    // measureInterleaved); a scenario's switch (makeNext.activate) is on for its runs, off for the other's.
    const on = (active) => makeNext.activate && (() => makeNext.activate(active));
    const reference = s.against && SCENARIOS.find((x) => x.id === s.against.id);
    const runs = [
      ['service', auth.token && svc, makeNext, runOpts, on(true)],
      [
        'reference',
        reference && auth.token && svc,
        reference && (await reference.requests(fx, auth.token ?? 'none', svc)),
        reference && { ...opts, connections: reference.connections ?? opts.connections },
        on(false),
      ],
      ['floor', !s.against && baseline, makeNext, runOpts],
      ['ceiling', ceiling && s.ceiling && ceiling, makeNext, runOpts],
      ["NestJS + the floor's SQL", bound && (s.ceiling || s.withFloorSql) && bound, makeNext, runOpts],
    ].filter(([, target]) => target);
    const slices = runs.length > 1 ? (s.slices ?? opts.slices) : 1;
    const label = (who) => (who === 'reference' ? reference.id : who);
    log(`${s.id}: ${runs.map(([who]) => label(who)).join(', ')}${slices > 1 ? `, interleaved in ${slices} slices` : ''}`);
    const combined = await measureInterleaved(
      runs.map(([, target, next, runOptions, before]) => ({ target, makeNext: next, opts: runOptions, before })),
      slices,
      context.settle,
    );
    const measured = new Map(combined.map((r, i) => [runs[i][0], r]));
    const service = measured.get('service') ?? { pending: auth.error };
    if (svc.child.exitCode !== null || svc.child.signalCode !== null) {
      throw new Error(`the service exited during ${s.id}:\n${svc.output.join('').slice(-3000)}`);
    }
    // The scenario's switch left on whatever the order of its last slice (its `after` reads its outcome).
    if (auth.token && makeNext.activate) await makeNext.activate(true);
    if (s.after && auth.token) await s.after(context);
    for (const [i, r] of combined.entries()) {
      log(
        `  ${label(runs[i][0])}: ${r.pending ? `pending — ${r.pending}` : `${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors, RSS ${r.peakRssMb} MB, CPU ${r.cpuMsPerRequest} ms/request`}`,
      );
    }
    if (!auth.token) log(`  service: pending — ${auth.error}`);
    const floor = measured.get('floor') ?? null;
    const top = measured.get('ceiling') ?? null;
    const withSql = measured.get("NestJS + the floor's SQL") ?? null;
    const ref = measured.get('reference') ?? null;
    const r = {
      id: s.id,
      db: s.db,
      title: s.title,
      floorSql: s.floor,
      service,
      reference: ref,
      baseline: floor,
      ceiling: top,
      nestWithFloorSql: withSql,
      ...evaluate(s, service, floor, top, withSql),
    };
    if (s.against) {
      const raw = ref && !ref.pending && !service.pending && ref.rps > 0 ? (service.rps * s.against.perRequest) / ref.rps : null;
      r.ratios.rps = raw === null ? null : round(raw, 2);
      r.checks.unshift({
        name: 'throughput ratio',
        value: r.ratios.rps,
        target: `≥ ${s.targets.leadsRatio}× in leads/s`,
        pass: raw === null ? null : raw >= s.targets.leadsRatio,
      });
    }
    results.set(s.id, r);
    await sleep(1000);
  }
  for (const s of scenarios) report.scenarios.push(results.get(s.id));
}

/**
 * The NestJS ceiling, answering with a real `GET /leads/{id}` response of the service (a lead with
 * its audit entry: the size of what get and create answer), and NestJS + the floor's SQL on `floor`'s
 * database; each null when no scenario needs it.
 */
async function startCeilingFor(scenarios, { svc, auth, fx }, opts, floor) {
  if (!opts.ceiling || !auth.token || !scenarios.some((s) => s.ceiling || s.withFloorSql)) return { ceiling: null, bound: null };
  const sample = await http(svc.base, 'GET', `/leads/${fx.main.leadIdMin}`, {
    headers: { authorization: `Bearer ${auth.token}`, 'x-account-id': String(fx.main.accountId) },
  });
  if (sample.status !== 200) throw new Error(`GET /leads/${fx.main.leadIdMin} for the ceiling's body answered ${sample.status}`);
  // The deep page measures only NestJS + the floor's SQL: the bare ceiling starts when a scenario uses it.
  const ceiling = scenarios.some((s) => s.ceiling) ? await startCeiling({ port: opts.port + 2, body: sample.body }) : null;
  const bound = await startCeiling({ port: opts.port + 3, body: sample.body, floor });
  return { ceiling, bound };
}

async function runPostgres(scenarios, opts, report) {
  report.versions.postgres = (await serverInfo(opts.adminUrl)).version;
  const prepared = await preparePostgres(opts);
  const { db, svc, fx } = prepared;
  report.seed.postgres = { ...roundAll(fx.timings), leads: opts.leads, auditRows: opts.auditSeed, database: db.name };
  report.coldStart.postgres = { firstMs: round(prepared.startMs.first, 0), restartMs: round(prepared.startMs.restart, 0) };
  const baseline = await startBaseline({ kind: 'pg', port: opts.port + 1, databaseUrl: db.url, poolSize: opts.pool });
  const floor = { kind: 'pg', databaseUrl: db.url, poolSize: opts.pool };
  const { ceiling, bound } = await startCeilingFor(scenarios, prepared, opts, floor);
  const leanScenarios = scenarios.filter((s) => s.leanFloor);
  const lean = { baseline: null, bound: null };
  if (leanScenarios.length) {
    lean.baseline = await startBaseline({ ...floor, port: opts.port + 4, lean: true });
    if (opts.ceiling && prepared.auth.token) {
      lean.bound = await startCeiling({ port: opts.port + 5, body: {}, floor: { ...floor, lean: true } });
    }
  }
  // Before each slice, the statements the last one left running on the server end (see waitQuiet).
  const settle = async () => {
    const quiet = await waitQuiet(db);
    if (quiet.waitedMs >= 1000 || quiet.left) {
      log(
        `  waited ${round(quiet.waitedMs / 1000, 1)} s for ${quiet.atStart} statements left running${quiet.left ? `; ${quiet.left} still ran` : ''}`,
      );
    }
  };
  await runScenarios(scenarios, { ...prepared, baseline, ceiling, bound, lean, settle }, opts, report);
  report.serviceMemory.postgres = round(readMemory(svc.pid)?.hwmMb, 1);
  if (lean.bound) await stopProcess(lean.bound);
  if (lean.baseline) await stopProcess(lean.baseline);
  if (bound) await stopProcess(bound);
  if (ceiling) await stopProcess(ceiling);
  await stopProcess(baseline);
  await stopProcess(svc);
  await db.drop();
}

async function runSqlite(scenarios, opts, report) {
  const prepared = await prepareSqlite(opts);
  const { svc, fx, dbPath } = prepared;
  report.versions.sqlite = fx.sqliteVersion;
  report.seed.sqlite = { ...roundAll(fx.timings), leads: opts.sqliteLeads, auditRows: opts.auditSeed };
  report.coldStart.sqlite = { firstMs: round(prepared.startMs.first, 0), restartMs: round(prepared.startMs.restart, 0) };
  if (scenarios.length) {
    const baseline = await startBaseline({ kind: 'sqlite', port: opts.port + 1, databasePath: dbPath });
    const { ceiling, bound } = await startCeilingFor(scenarios, prepared, opts, { kind: 'sqlite', databasePath: dbPath });
    await runScenarios(scenarios, { ...prepared, baseline, ceiling, bound }, opts, report);
    report.serviceMemory.sqlite = round(readMemory(svc.pid)?.hwmMb, 1);
    if (bound) await stopProcess(bound);
    if (ceiling) await stopProcess(ceiling);
    await stopProcess(baseline);
  }
  await stopProcess(svc);
  prepared.remove();
}

/** How much faster creates go when spread over several rotations than through one. */
function parallelism(report, accounts) {
  const one = report.scenarios.find((s) => s.id === 'pg.create-rotation');
  const many = report.scenarios.find((s) => s.id === 'pg.create-multi');
  if (!one || !many) return null;
  const ratio = (a, b) => (a?.rps && b?.rps ? round(a.rps / b.rps, 2) : null);
  return { accounts, service: ratio(many.service, one.service), baseline: ratio(many.baseline, one.baseline) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { scenarios, coldStart } = selectScenarios(opts.only); // throws {usage: true} on an unknown token
  const report = {
    machine: machineInfo(),
    versions: { postgres: null, sqlite: null },
    settings: {
      duration: opts.duration,
      warmup: opts.warmup,
      slices: opts.slices,
      connections: opts.connections,
      timeout: opts.timeout,
      pool: opts.pool,
      leads: opts.leads,
      sqliteLeads: opts.sqliteLeads,
      accounts: opts.accounts,
      only: opts.only,
    },
    seed: {},
    coldStart: {},
    serviceMemory: {},
    scenarios: [],
    parallelism: null,
  };
  const started = Date.now();
  const pg = scenarios.filter((s) => s.db === 'pg');
  const sqlite = scenarios.filter((s) => s.db === 'sqlite');
  if (pg.length) await runPostgres(pg, opts, report);
  if (sqlite.length || coldStart) await runSqlite(sqlite, opts, report);
  report.parallelism = parallelism(report, opts.accounts);
  report.wallClockS = round((Date.now() - started) / 1000, 0);
  // Every selected scenario measured and within every target, and the SQLite cold starts too.
  report.allPass =
    report.scenarios.every((s) => !s.service.pending && s.checks.every((c) => c.pass === true)) &&
    Object.values(report.coldStart.sqlite ?? {}).every((ms) => ms <= TARGETS.coldStartMs);

  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`\n## Machine\n\n${renderMachine(report)}\n\n## Results\n\n${renderMarkdown(report)}\n`);
}

main()
  .catch((e) => {
    process.stderr.write(`[bench] failed: ${e.usage ? e.message : e.stack || e.message}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await runCleanup();
    process.exit();
  });
