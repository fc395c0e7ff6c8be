'use strict';
// Starting and stopping the processes under test (the service from dist/ and the baseline
// servers), measuring their start-up time and sampling their memory from /proc.

const { spawn } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { http, sleep, trackChild, onCleanup } = require('./util');

const ROOT = path.resolve(__dirname, '..', '..');
const SERVICE_ENTRY = path.join(ROOT, 'dist/src/main.js');
/** The service runs as `npm run start:prod` and the Dockerfile run it: with a capped heap. */
const SERVICE_NODE_FLAGS = ['--max-old-space-size=160', '--max-semi-space-size=32'];

const JWT_SECRET = 'bench-secret-0123456789-0123456789-0123456789';
const ADMIN = { email: 'admin@bench.example.com', password: 'bench-password-1' };

/**
 * Spawns `node <args>` and resolves once GET /health answers 200, polling every `pollMs`.
 * `startMs` is the time from spawn to that first 200 (the cold start).
 */
async function startProcess({ name, args, env, port, timeoutMs = 60000, pollMs = 25 }) {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const output = [];
  const keep = (d) => {
    output.push(String(d));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const proc = { name, child, pid: child.pid, port, base: `http://127.0.0.1:${port}`, output, exited, startMs: null };
  proc.removeCleanup = onCleanup(`stop ${name}`, () => stopProcess(proc));

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    const res = await http(proc.base, 'GET', '/health', { timeoutMs: 1000 }).catch(() => null);
    if (res && res.status === 200) {
      proc.startMs = performance.now() - spawnedAt;
      return proc;
    }
    await sleep(pollMs);
  }
  await stopProcess(proc, 'SIGKILL');
  throw new Error(`${name} on port ${port} did not become healthy:\n${output.join('').slice(-3000)}`);
}

/** SIGTERM (the service drains and exits), SIGKILL after `timeoutMs`. */
async function stopProcess(proc, signal = 'SIGTERM', timeoutMs = 15000) {
  proc.removeCleanup?.();
  const { child } = proc;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await proc.exited;
    clearTimeout(timer);
  }
  return proc.exited;
}

/** The service built by `nest build`, with the settings of scripts/lib/harness.js. */
function startService({ port, databaseUrl, databasePath, cpuProfDir, extraEnv = {} }) {
  if (!existsSync(SERVICE_ENTRY)) {
    throw new Error(`${path.relative(ROOT, SERVICE_ENTRY)} is missing: run \`npx nest build\` first (npm run bench does)`);
  }
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    JWT_SECRET,
    WEBHOOK_SECRET_KEY: 'bench-webhook-key-0123456789-0123456789-01',
    // The bench's receiver listens on 127.0.0.1.
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: process.env.BENCH_RATE_LIMIT ?? '0',
    LOGIN_RATE_LIMIT_PER_MINUTE: '0',
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    BOOTSTRAP_ACCOUNT_NAME: 'Bench account',
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  delete env.DATABASE_PATH;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else env.DATABASE_PATH = databasePath;
  const args = [...SERVICE_NODE_FLAGS, ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []), SERVICE_ENTRY];
  return startProcess({ name: `service (${databaseUrl ? 'PostgreSQL' : 'SQLite'})`, args, env, port });
}

/** The environment of the floor's SQL: its database and the actor it writes. */
function floorEnv({ kind, databaseUrl, databasePath, poolSize, lean = false }) {
  return {
    BENCH_ACTOR: ADMIN.email,
    ...(lean ? { FLOOR_LEAN: '1' } : {}),
    ...(kind === 'pg' ? { DATABASE_URL: databaseUrl, POOL_SIZE: String(poolSize) } : { DATABASE_PATH: databasePath }),
  };
}

/** bench/baseline-pg.js or bench/baseline-sqlite.js; `lean`: the lean PostgreSQL floor (FLOOR_LEAN). */
function startBaseline({ kind, port, ...db }) {
  const script = path.join(__dirname, '..', kind === 'pg' ? 'baseline-pg.js' : 'baseline-sqlite.js');
  const env = { PATH: process.env.PATH, PORT: String(port), ...floorEnv({ kind, ...db }) };
  const name = `baseline (${kind === 'pg' ? 'PostgreSQL' : 'SQLite'}${db.lean ? ', lean' : ''})`;
  return startProcess({ name, args: [script], env, port });
}

/**
 * bench/ceiling-nest.js: NestJS on Fastify answering every scenario's request with `body` and no
 * work, with the service's node flags; with `floor` ({ kind, databaseUrl, poolSize } or
 * { kind, databasePath }), NestJS + the floor's SQL: each route runs the floor's own handler.
 */
function startCeiling({ port, body, floor = null }) {
  const env = { PATH: process.env.PATH, PORT: String(port), NODE_ENV: 'production', CEILING_BODY: JSON.stringify(body) };
  if (floor) Object.assign(env, { CEILING_FLOOR: floor.kind, FLOOR_FOLLOWS_CURSOR: '1' }, floorEnv(floor));
  const name = floor ? `NestJS + the ${floor.lean ? 'lean ' : ''}floor's SQL` : 'NestJS ceiling';
  return startProcess({ name, args: [...SERVICE_NODE_FLAGS, path.join(__dirname, '..', 'ceiling-nest.js')], env, port });
}

/** Resident memory of a process in MB from /proc/<pid>/status (null once it has exited). */
function readMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number((new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status) ?? [])[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

let clockTicks = null;
/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (null once it has exited). */
function readCpuMs(pid) {
  try {
    clockTicks ??= Number(require('node:child_process').execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return null;
  }
}

/** Samples VmRSS every `intervalMs`; `stop()` returns the peak seen while sampling. */
function sampleRss(pid, intervalMs = 200) {
  let peak = 0;
  const take = () => {
    const m = readMemory(pid);
    if (m && m.rssMb > peak) peak = m.rssMb;
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak || null;
    },
  };
}

module.exports = { ROOT, ADMIN, JWT_SECRET, startService, startBaseline, startCeiling, stopProcess, readMemory, readCpuMs, sampleRss };
