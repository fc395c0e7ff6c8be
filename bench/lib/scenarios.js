'use strict';
// The scenarios: what each one sends, what the floor does for it, and its targets.
// `requests(fx, token)` returns a factory of request generators (see load.js); the service and the
// baseline get identical requests (the baseline ignores the Authorization header).

const { spawn } = require('node:child_process');
const { SEARCH_TERM } = require('./fixture');
const { withClient } = require('./seed-pg');
const { http, log, onCleanup, sleep, trackChild } = require('./util');

const PAGE_SIZE = 50;

/** Targets from the issue. Ratios are service ÷ baseline. */
const TARGETS = {
  createRotation: { rps: 1.0, p99: 1.5 },
  createAssigned: { rps: 0.6 },
  read: { rps: 0.5 },
  deepPageP99Ms: 50,
  maxRssMb: 250,
  coldStartMs: 2000,
};

const FLOOR_SQL = {
  createRotation:
    'BEGIN; SELECT rotation … FOR UPDATE; UPDATE lead_rotations SET current_position; INSERT INTO leads … RETURNING *; INSERT INTO audit_logs … RETURNING *; COMMIT',
  createAssigned: 'BEGIN; INSERT INTO leads … RETURNING *; INSERT INTO audit_logs … RETURNING *; COMMIT',
  list: `SELECT count(*) FROM leads WHERE account_id=$1 AND archived=false; SELECT * FROM leads WHERE … ORDER BY created_at DESC, id DESC LIMIT ${PAGE_SIZE} OFFSET $2`,
  search: 'the two list queries with AND (LOWER(first_name) LIKE $2 OR LOWER(last_name) LIKE $2 OR … 16 text columns, as the service)',
  get: 'SELECT * FROM leads WHERE id=$1 AND account_id=$2; SELECT * FROM audit_logs WHERE account_id=$2 AND lead_id=$1 AND event = ANY(lead events) ORDER BY id',
  // The lean floor (FLOOR_LEAN): only the user-visible job, one statement each.
  getLean: 'SELECT * FROM leads WHERE id=$1 AND account_id=$2',
  createAssignedLean: 'WITH l AS (INSERT INTO leads … RETURNING *), a AS (INSERT INTO audit_logs … FROM l RETURNING *) SELECT …',
};

const headers = (token, accountId, json) => ({
  authorization: `Bearer ${token}`,
  'x-account-id': String(accountId),
  ...(json ? { 'content-type': 'application/json' } : {}),
});

// Shared by every create generator of the process, so no two requests carry the same name.
let createSeq = 0;

/** POST /leads spread round-robin over `accounts`, each body distinct; `assigned` sets assignedTo. */
function creates(accounts, token, { assigned }) {
  return () => () => {
    const n = ++createSeq;
    const a = accounts[n % accounts.length];
    const body = {
      teamId: a.teamId,
      leadSourceId: a.leadSourceIds[n % a.leadSourceIds.length],
      firstName: `Bench${n}`,
      lastName: 'Loadtest',
      email: `bench${n}@load.example.com`,
      phone: '+1-555-0100',
      company: `Bench Co ${n % 97}`,
      jobTitle: 'Owner',
      numberOfEmployees: 12,
      monthlyTransactionVolume: 25000,
      interestedInSwitching: true,
      processStage: 'new',
      ...(assigned ? { assignedTo: a.emails[n % a.emails.length] } : {}),
    };
    return { method: 'POST', path: '/leads', headers: headers(token, a.accountId, true), body: JSON.stringify(body) };
  };
}

/** POST /leads/batch of `size` distinct leads into `account`'s team (routed by its rotation). */
function batches(account, token, size) {
  const one = creates([account], token, { assigned: false })();
  return () => () => {
    const leads = Array.from({ length: size }, () => JSON.parse(one().body));
    return { method: 'POST', path: '/leads/batch', headers: headers(token, account.accountId, true), body: JSON.stringify({ leads }) };
  };
}

/** Port of the webhook receiver of pg.create-webhook (the bench's processes use --port … --port+5). */
const RECEIVER_PORT_OFFSET = 6;

/**
 * A fast webhook receiver in its own process (answers 204 at once, as a receiver that queues the
 * event would), and one active webhook on it for `account`, subscribed to lead.created: the creates
 * that follow each queue a delivery, which the service's workers post while the load runs.
 */
async function withWebhook(account, token, svc) {
  const port = Number(new URL(svc.base).port) + RECEIVER_PORT_OFFSET;
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.statusCode = 204; s.end(); }); }).listen(${port}, '127.0.0.1')`,
    ],
    { stdio: 'ignore' },
  );
  trackChild(child);
  onCleanup('webhook receiver', () => child.kill('SIGKILL'));
  // The receiver must be the one answering: a port taken by another process would fail every delivery.
  for (let tries = 0; ; tries++) {
    await sleep(100);
    const probe = await http(`http://127.0.0.1:${port}`, 'POST', '/hook', { body: {}, timeoutMs: 1000 }).catch(() => null);
    if (probe?.status === 204 && child.exitCode === null) break;
    if (tries === 50) throw new Error(`the webhook receiver on port ${port} did not start (answered ${probe?.status ?? 'nothing'})`);
  }
  const res = await http(svc.base, 'POST', '/webhooks', {
    headers: headers(token, account.accountId, true),
    body: { url: `http://127.0.0.1:${port}/hook`, events: ['lead.created'] },
  });
  if (res.status !== 201) throw new Error(`POST /webhooks answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
  return res.body.id;
}

/** Logs how the deliveries of the run stand, once none is pending (or after 30 s). */
async function deliveriesAfterRun({ db }) {
  const started = Date.now();
  const counts = () =>
    withClient(db.url, async (c) => {
      const { rows } = await c.query(`SELECT status, count(*)::int AS n FROM webhook_deliveries GROUP BY status ORDER BY status`);
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    });
  let now = await counts();
  const atEnd = now.pending ?? 0;
  while ((now.pending ?? 0) > 0 && Date.now() - started < 30_000) {
    await sleep(500);
    now = await counts();
  }
  log(`  deliveries: ${atEnd} pending when the load stopped; ${JSON.stringify(now)} ${((Date.now() - started) / 1000).toFixed(1)} s later`);
}

function gets(path, account, token) {
  return () => () => ({ method: 'GET', path: typeof path === 'function' ? path() : path, headers: headers(token, account.accountId) });
}

const randomLeadPath = (main) => () => `/leads/${main.leadIdMin + Math.floor(Math.random() * (main.leadIdMax - main.leadIdMin + 1))}`;
const deepPage = (main) => Math.max(2, Math.floor(main.leadCount / 2 / PAGE_SIZE));

/**
 * The deep page as a client reaches it: by the keyset cursor (`nextCursor`) of the page before,
 * fetched once from the service. The floor ignores `cursor` and serves the same page by OFFSET.
 */
async function deepPageRequests(fx, token, svc) {
  const page = deepPage(fx.main);
  const res = await fetch(`${svc.base}/leads?page=${page - 1}&pageSize=${PAGE_SIZE}`, { headers: headers(token, fx.main.accountId) });
  const body = await res.json().catch(() => ({}));
  const cursor = typeof body.nextCursor === 'string' ? `&cursor=${body.nextCursor}` : '';
  return gets(`/leads?page=${page}&pageSize=${PAGE_SIZE}${cursor}`, fx.main, token);
}

const SCENARIOS = [
  {
    id: 'pg.create-rotation',
    db: 'pg',
    tags: ['create'],
    title: 'POST /leads, auto-assigned through one rotation',
    floor: FLOOR_SQL.createRotation,
    requests: (fx, token) => creates([fx.main], token, { assigned: false }),
    targets: TARGETS.createRotation,
  },
  {
    id: 'pg.create-weighted',
    db: 'pg',
    tags: ['create', 'weighted'],
    title: 'POST /leads, auto-assigned through one rotation weighted 3:2:1:1:1 with daily caps',
    floor: FLOOR_SQL.createRotation,
    requests: (fx, token) => creates([fx.weighted], token, { assigned: false }),
    targets: TARGETS.createRotation,
  },
  {
    // No floor: the target is against the service's own single creates, interleaved with it.
    id: 'pg.create-batch',
    db: 'pg',
    tags: ['create', 'batch'],
    title: 'POST /leads/batch of 100 leads through one rotation (ratio: leads/s ÷ pg.create-rotation req/s)',
    connections: 16,
    against: { id: 'pg.create-rotation', perRequest: 100 },
    requests: (fx, token) => batches(fx.main, token, 100),
    targets: { leadsRatio: 5 },
  },
  {
    // Runs last of the PostgreSQL scenarios (see runScenarios): it leaves its webhook active in the main account.
    id: 'pg.create-webhook',
    db: 'pg',
    tags: ['create', 'webhook'],
    title: 'POST /leads as pg.create-rotation with one active webhook on lead.created (ratio: req/s ÷ pg.create-rotation req/s)',
    against: { id: 'pg.create-rotation', perRequest: 1 },
    requests: async (fx, token, svc) => {
      const id = await withWebhook(fx.main, token, svc);
      // Off while pg.create-rotation's runs are interleaved with this scenario's (see runScenarios).
      const activate = async (active) => {
        const res = await http(svc.base, 'PATCH', `/webhooks/${id}`, {
          headers: headers(token, fx.main.accountId, true),
          body: { active },
        });
        if (res.status !== 200) throw new Error(`PATCH /webhooks/${id} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
      };
      return Object.assign(creates([fx.main], token, { assigned: false }), { activate });
    },
    after: deliveriesAfterRun,
    targets: { leadsRatio: 0.9 },
  },
  {
    id: 'pg.create-assigned',
    ceiling: true,
    db: 'pg',
    tags: ['create'],
    title: 'POST /leads with assignedTo (against the lean floor: the lead and its entry, one statement)',
    floor: FLOOR_SQL.createAssignedLean,
    leanFloor: true,
    requests: (fx, token) => creates([fx.main], token, { assigned: true }),
    targets: TARGETS.createAssigned,
  },
  {
    id: 'pg.create-multi',
    ceiling: true,
    db: 'pg',
    tags: ['create', 'multi'],
    title: 'POST /leads, auto-assigned, round-robin over several accounts (one rotation each)',
    floor: FLOOR_SQL.createRotation,
    requests: (fx, token) => creates(fx.others, token, { assigned: false }),
    targets: TARGETS.createRotation,
  },
  {
    id: 'pg.list-first',
    db: 'pg',
    tags: ['list'],
    title: `GET /leads first page (pageSize ${PAGE_SIZE})`,
    floor: FLOOR_SQL.list,
    requests: (fx, token) => gets(`/leads?page=1&pageSize=${PAGE_SIZE}`, fx.main, token),
    targets: TARGETS.read,
  },
  {
    id: 'pg.list-deep',
    db: 'pg',
    tags: ['list', 'deep'],
    title: `GET /leads deep page (middle of the account; the service follows the keyset cursor)`,
    floor: FLOOR_SQL.list,
    requests: deepPageRequests,
    // NestJS + the floor's SQL following the same cursor: the least a NestJS keyset page costs.
    withFloorSql: true,
    targets: { ...TARGETS.read, p99AbsMs: TARGETS.deepPageP99Ms },
  },
  {
    id: 'pg.list-deep-1',
    db: 'pg',
    tags: ['list', 'deep'],
    title: 'GET /leads deep page as pg.list-deep, one connection (the latency of the page itself, without queueing)',
    floor: FLOOR_SQL.list,
    connections: 1,
    requests: deepPageRequests,
    targets: { p99AbsMs: TARGETS.deepPageP99Ms },
  },
  {
    id: 'pg.search',
    db: 'pg',
    tags: ['list', 'search'],
    title: `GET /leads?search=${SEARCH_TERM} (about 1% match)`,
    floor: FLOOR_SQL.search,
    // One run each: the floor's requests take longer than a slice (10 s), so a slice would count none.
    slices: 1,
    requests: (fx, token) => gets(`/leads?search=${SEARCH_TERM}&pageSize=${PAGE_SIZE}`, fx.main, token),
    targets: TARGETS.read,
  },
  {
    id: 'pg.get',
    ceiling: true,
    db: 'pg',
    tags: ['get'],
    title: 'GET /leads/{id} (random lead, with its audit entries; against the lean floor: the lead row only)',
    floor: FLOOR_SQL.getLean,
    leanFloor: true,
    requests: (fx, token) => gets(randomLeadPath(fx.main), fx.main, token),
    targets: TARGETS.read,
  },
  {
    id: 'sqlite.create-rotation',
    ceiling: true,
    db: 'sqlite',
    tags: ['create'],
    title: 'POST /leads, auto-assigned through one rotation',
    floor: FLOOR_SQL.createRotation.replace('BEGIN', 'BEGIN IMMEDIATE').replace(' FOR UPDATE', ''),
    requests: (fx, token) => creates([fx.main], token, { assigned: false }),
    targets: TARGETS.createRotation,
  },
  {
    id: 'sqlite.get',
    ceiling: true,
    db: 'sqlite',
    tags: ['get'],
    title: 'GET /leads/{id} (random lead, with its audit entries)',
    floor: FLOOR_SQL.get,
    requests: (fx, token) => gets(randomLeadPath(fx.main), fx.main, token),
    targets: TARGETS.read,
  },
];

/**
 * `--only a,b`: a token selects a scenario by id (`pg.get`), by name (`get`, both databases), by
 * database (`pg`, `sqlite`) or by tag (`create`, `list`, `deep`, `search`, `multi`); `coldstart`
 * selects the SQLite start-up measurement, which also comes with every SQLite scenario.
 */
function selectScenarios(only) {
  if (!only) return { scenarios: SCENARIOS, coldStart: true };
  const tokens = only
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const known = new Set(['coldstart', 'pg', 'sqlite', ...SCENARIOS.flatMap((s) => [s.id, s.id.split('.')[1], ...s.tags])]);
  const unknown = tokens.filter((t) => !known.has(t));
  if (unknown.length) {
    throw Object.assign(new Error(`--only: unknown ${unknown.join(', ')} (known: ${[...known].join(', ')})`), { usage: true });
  }
  const picked = (s) => tokens.some((t) => t === s.id || t === s.id.split('.')[1] || t === s.db || s.tags.includes(t));
  // A scenario measured against another measures that one's requests itself (see runScenarios).
  const scenarios = SCENARIOS.filter(picked);
  return { scenarios, coldStart: tokens.includes('coldstart') || tokens.includes('sqlite') || scenarios.some((s) => s.db === 'sqlite') };
}

module.exports = { SCENARIOS, TARGETS, PAGE_SIZE, selectScenarios };
