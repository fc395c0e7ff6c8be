#!/usr/bin/env node
'use strict';
// Where the service spends its time, on the same seeded databases as `npm run bench`:
//  1. per scenario, the service runs under `node --cpu-prof` through a warm-up and a load at
//     50 connections; the profile's self time (start-up excluded) is summarized per function and
//     per package;
//  2. on PostgreSQL, with log_min_duration_statement = 0 on the scratch database, a few sequential
//     requests per scenario show the SQL the service sends per request (read back from the server
//     log), and the lead queries get EXPLAIN (ANALYZE, BUFFERS).
// Writes bench/results/profile-<timestamp>/profile.md (and the .cpuprofile files) and prints it.
// Usage: npx nest build && node bench/profile.js [--only pg.create-rotation,list-deep,sqlite.get]
//        [--duration 10] [--leads 1000000] [--pg-log /var/log/postgresql/postgresql-15-main.log]

const { mkdirSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { startService, stopProcess } = require('./lib/procs');
const { measure } = require('./lib/load');
const { SCENARIOS } = require('./lib/scenarios');
const { preparePostgres, prepareSqlite } = require('./lib/setup');
const { DEFAULT_ADMIN_URL, setDatabaseParameter, withClient } = require('./lib/seed-pg');
const { summarizeProfile } = require('./lib/cpu-profile');
const { DEFAULT_LOG, logSize, readFrom, parseStatements, inline, aggregate, firstTransaction } = require('./lib/pg-log');
const { http, log, runCleanup } = require('./lib/util');

const SQL_SAMPLE_REQUESTS = 20;

function parseArgs(argv) {
  const opts = {
    only: 'pg.create-rotation,pg.create-assigned,pg.list-first,pg.list-deep,pg.search,pg.get,sqlite.create-rotation,sqlite.get',
    duration: 10,
    warmup: 3,
    connections: 50,
    timeout: 30,
    leads: 1_000_000,
    sqliteLeads: 100_000,
    accounts: 5,
    pool: 10,
    port: 3410,
    auditSeed: true,
    pgLog: DEFAULT_LOG,
    adminUrl: process.env.DATABASE_URL || DEFAULT_ADMIN_URL,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = inline ?? argv[++i];
    if (flag === '--only') opts.only = value;
    else if (flag === '--pg-log') opts.pgLog = value;
    else if (['--duration', '--leads', '--connections', '--port'].includes(flag)) opts[flag.slice(2)] = Number(value);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return opts;
}

const table = (header, rows) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

async function cpuProfile(scenario, ctx, opts, dir) {
  const profDir = path.join(dir, scenario.id);
  mkdirSync(profDir, { recursive: true });
  const svc = await startService({ ...ctx.svcOptions, cpuProfDir: profDir });
  const r = await measure(svc, await scenario.requests(ctx.fx, ctx.auth.token, svc), opts);
  await stopProcess(svc);
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file || r.pending) return { r, summary: null };
  const summary = summarizeProfile(JSON.parse(readFileSync(path.join(profDir, file), 'utf8')), { skipMs: svc.startMs });
  return { r, summary, file: path.join(profDir, file) };
}

async function sqlCapture(scenario, ctx, opts) {
  const svc = await startService(ctx.svcOptions);
  const from = logSize(opts.pgLog);
  const next = (await scenario.requests(ctx.fx, ctx.auth.token, svc))();
  for (let i = 0; i < SQL_SAMPLE_REQUESTS; i++) {
    const q = next();
    await http(svc.base, q.method, q.path, { headers: q.headers, body: q.body && JSON.parse(q.body), timeoutMs: 60000 });
  }
  await stopProcess(svc);
  const statements = parseStatements(readFrom(opts.pgLog, from), ctx.db.name);
  const explains = [];
  for (const s of aggregate(statements)
    .filter((a) => /^SELECT/i.test(a.sql) && /FROM "leads"/.test(a.sql))
    .slice(0, 3)) {
    const plan = await withClient(ctx.db.url, (c) => c.query(`EXPLAIN (ANALYZE, BUFFERS) ${inline(s.sample)}`));
    explains.push({ sql: inline(s.sample), plan: plan.rows.map((row) => row['QUERY PLAN']).join('\n') });
  }
  return { statements, explains };
}

function render(scenario, cpu, sql) {
  const out = [`## ${scenario.id}: ${scenario.title}`, ''];
  if (cpu.r.pending) return [...out, `pending: ${cpu.r.pending}`, ''].join('\n');
  out.push(`Load: ${cpu.r.rps} req/s, p50 ${cpu.r.p50} ms, p99 ${cpu.r.p99} ms, ${cpu.r.errors} errors (under --cpu-prof).`, '');
  if (cpu.summary) {
    const s = cpu.summary;
    out.push(`CPU: ${s.busyMs} ms busy, ${s.idleMs} ms idle after start-up. Self time by package:`, '');
    out.push(
      table(
        ['package', 'ms', '% of busy'],
        s.packages.slice(0, 12).map((p) => [p.name, p.ms, p.pct]),
      ),
      '',
    );
    out.push('Top functions by self time:', '');
    out.push(
      table(
        ['function', 'where', 'ms', '% of busy'],
        s.functions.map((f) => [`\`${f.name}\``, f.where, f.ms, f.pct]),
      ),
      '',
    );
  }
  if (sql) {
    const agg = aggregate(sql.statements);
    out.push(
      `SQL sent for ${SQL_SAMPLE_REQUESTS} sequential requests (${(sql.statements.length / SQL_SAMPLE_REQUESTS).toFixed(1)} statements per request):`,
      '',
    );
    out.push(
      table(
        ['per request', 'mean ms', 'statement'],
        agg
          .slice(0, 15)
          .map((a) => [
            (a.count / SQL_SAMPLE_REQUESTS).toFixed(2),
            a.meanMs.toFixed(2),
            `\`${a.sql.slice(0, 300).replace(/\|/g, '\\|')}\``,
          ]),
      ),
      '',
    );
    const tx = firstTransaction(sql.statements);
    if (tx) out.push('One transaction, in order:', '', '```sql', ...tx.map((s) => `-- ${s.ms} ms\n${inline(s)};`), '```', '');
    for (const e of sql.explains) out.push('```sql', `EXPLAIN (ANALYZE, BUFFERS) ${e.sql};`, '```', '```', e.plan, '```', '');
  }
  return out.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const wanted = opts.only.split(',').map((s) => s.trim());
  const scenarios = SCENARIOS.filter((s) => wanted.some((w) => w === s.id || w === s.id.split('.')[1]));
  const dir = path.join(__dirname, 'results', `profile-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const sections = [
    `# Profile of the service (${new Date().toISOString()}, ${opts.connections} connections, ${opts.duration} s per load)`,
    '',
  ];

  const pg = scenarios.filter((s) => s.db === 'pg');
  if (pg.length) {
    const prepared = await preparePostgres(opts);
    await stopProcess(prepared.svc);
    if (!prepared.auth.token) throw new Error(prepared.auth.error);
    const ctx = {
      ...prepared,
      svcOptions: { port: opts.port, databaseUrl: prepared.db.url, extraEnv: { DATABASE_POOL_SIZE: String(opts.pool) } },
    };
    const cpu = new Map();
    for (const s of pg) {
      log(`${s.id}: CPU profile`);
      cpu.set(s.id, await cpuProfile(s, ctx, opts, dir));
    }
    const canReadLog = logSize(opts.pgLog) !== null;
    if (!canReadLog) log(`${opts.pgLog} is not readable: skipping the SQL capture (use --pg-log)`);
    else await setDatabaseParameter(prepared.db, 'log_min_duration_statement', '0');
    for (const s of pg) {
      log(`${s.id}: SQL`);
      const sql = canReadLog && !cpu.get(s.id).r.pending ? await sqlCapture(s, ctx, opts) : null;
      sections.push(render(s, cpu.get(s.id), sql));
    }
    await prepared.db.drop();
  }

  const sqlite = scenarios.filter((s) => s.db === 'sqlite');
  if (sqlite.length) {
    const prepared = await prepareSqlite(opts);
    await stopProcess(prepared.svc);
    if (!prepared.auth.token) throw new Error(prepared.auth.error);
    const ctx = { ...prepared, svcOptions: { port: opts.port, databasePath: prepared.dbPath } };
    for (const s of sqlite) {
      log(`${s.id}: CPU profile`);
      sections.push(render(s, await cpuProfile(s, ctx, opts, dir), null));
    }
    prepared.remove();
  }

  const report = sections.join('\n');
  writeFileSync(path.join(dir, 'profile.md'), report);
  process.stdout.write(`${report}\n`);
  log(`written to ${path.relative(process.cwd(), dir)}/`);
}

main()
  .catch((e) => {
    process.stderr.write(`[profile] failed: ${e.stack || e.message}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await runCleanup();
    process.exit();
  });
