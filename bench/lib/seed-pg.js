'use strict';
// The scratch PostgreSQL database and its data. Bench accounts are written in SQL (after the service
// has run its migrations), the million leads with generate_series, so seeding takes seconds and
// does not depend on which endpoints exist yet.

const { Client } = require('pg');
const { REP_EMAILS, FIRST_NAMES, LAST_NAMES, ARCHIVED_EVERY, hashPassword } = require('./fixture');
const { log, onCleanup, sleep } = require('./util');

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function withClient(url, fn) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'leads-bench' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates `leads_bench_<timestamp>`; its DROP … WITH (FORCE) runs from `drop()` or, failing that, at cleanup. */
async function createScratchDatabase(adminUrl) {
  const name = `leads_bench_${Date.now()}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dropNow = async () => {
    await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    log(`dropped database ${name}`);
  };
  const removeCleanup = onCleanup(`drop database ${name}`, dropNow);
  const drop = () => {
    removeCleanup();
    return dropNow();
  };
  return { name, url: url.toString(), adminUrl, drop };
}

async function serverInfo(url) {
  return withClient(url, async (c) => {
    const { rows } = await c.query(`SELECT current_setting('server_version') AS version, version() AS full`);
    return rows[0];
  });
}

/** The fallback while the bootstrap is not available: admin user, account and membership in SQL. */
async function seedAdmin(url, admin) {
  const hash = await hashPassword(admin.password);
  return withClient(url, async (c) => {
    await c.query('BEGIN');
    const existing = await c.query('SELECT id FROM users WHERE email = $1', [admin.email]);
    if (existing.rows.length) return c.query('ROLLBACK');
    const user = await c.query(
      'INSERT INTO users (email, password_hash, active, is_super_admin) VALUES ($1, $2, true, true) RETURNING id',
      [admin.email, hash],
    );
    const account = await c.query(`INSERT INTO accounts (name, created_by) VALUES ('Bench account', $1) RETURNING id`, [admin.email]);
    await c.query(
      `INSERT INTO memberships (account_id, user_id, role, active, is_primary, created_by) VALUES ($1, $2, 'admin', true, true, $3)`,
      [account.rows[0].id, user.rows[0].id, admin.email],
    );
    await c.query('COMMIT');
  });
}

/**
 * A team with two lead sources and an active team rotation over the reps, in `accountId`; `routing`
 * gives the rotation weights and daily caps by email (§7).
 */
async function seedAccountShape(c, accountId, actor, repIds, tag, routing = { weights: {}, dailyCaps: {} }) {
  await c.query(
    `INSERT INTO memberships (account_id, user_id, role, active, is_primary, created_by)
     SELECT $1, u, 'user', true, false, $2 FROM unnest($3::int[]) AS u`,
    [accountId, actor, repIds],
  );
  const team = await c.query(`INSERT INTO teams (account_id, name, created_by, updated_by) VALUES ($1, $2, $3, $3) RETURNING id`, [
    accountId,
    `Bench team ${tag}`,
    actor,
  ]);
  const teamId = team.rows[0].id;
  await c.query(
    `INSERT INTO team_members (team_id, user_id, position) SELECT $1, u, p - 1 FROM unnest($2::int[]) WITH ORDINALITY AS t(u, p)`,
    [teamId, repIds],
  );
  const sources = await c.query(
    `INSERT INTO lead_sources (account_id, team_id, name, created_by, updated_by)
     VALUES ($1, $2, 'Web form', $3, $3), ($1, $2, 'Trade show', $3, $3) RETURNING id`,
    [accountId, teamId, actor],
  );
  const rotation = await c.query(
    `INSERT INTO lead_rotations (account_id, name, is_default, status, team_id, user_rotation_array, current_position, weights, daily_caps, created_by, updated_by)
     VALUES ($1, $2, false, 'active', $3, $4::jsonb, 0, $6::jsonb, $7::jsonb, $5, $5) RETURNING id`,
    [
      accountId,
      `Bench rotation ${tag}`,
      teamId,
      JSON.stringify(REP_EMAILS),
      actor,
      JSON.stringify(routing.weights),
      JSON.stringify(routing.dailyCaps),
    ],
  );
  return {
    accountId: String(accountId),
    teamId,
    leadSourceIds: sources.rows.map((r) => r.id),
    rotationId: rotation.rows[0].id,
    emails: REP_EMAILS,
  };
}

/**
 * Seeds the main account (`mainAccountId`, the bootstrap admin's) and `extraAccounts` more accounts
 * the admin administers, each with the same shape; then `leads` leads in the main account with
 * their lead_created audit rows (`auditRows`), and VACUUM ANALYZE.
 */
async function seedPostgres(url, { mainAccountId, actor, leads, auditRows, extraAccounts }) {
  const timings = {};
  const fixture = await withClient(url, async (c) => {
    await c.query('BEGIN');
    const admin = await c.query('SELECT id FROM users WHERE email = $1', [actor]);
    const reps = await c.query(
      `INSERT INTO users (email, name, active) SELECT e, 'Rep ' || (i - 1), true FROM unnest($1::text[]) WITH ORDINALITY AS t(e, i) RETURNING id`,
      [REP_EMAILS],
    );
    const repIds = reps.rows.map((r) => r.id);
    const main = await seedAccountShape(c, mainAccountId, actor, repIds, 'main');
    const others = [];
    for (let i = 1; i <= extraAccounts; i++) {
      const acc = await c.query(`INSERT INTO accounts (name, created_by) VALUES ($1, $2) RETURNING id`, [`Bench account ${i}`, actor]);
      const accountId = acc.rows[0].id;
      await c.query(
        `INSERT INTO memberships (account_id, user_id, role, active, is_primary, created_by) VALUES ($1, $2, 'admin', true, false, $3)`,
        [accountId, admin.rows[0].id, actor],
      );
      others.push(await seedAccountShape(c, accountId, actor, repIds, String(i)));
    }
    // One more account whose rotation is weighted 3:2:1:1:1 and capped (caps high enough never to bind
    // in a run, so every pick checks them and none changes the split).
    const acc = await c.query(`INSERT INTO accounts (name, created_by) VALUES ('Bench weighted', $1) RETURNING id`, [actor]);
    await c.query(
      `INSERT INTO memberships (account_id, user_id, role, active, is_primary, created_by) VALUES ($1, $2, 'admin', true, false, $3)`,
      [acc.rows[0].id, admin.rows[0].id, actor],
    );
    const weights = Object.fromEntries(REP_EMAILS.map((e, i) => [e, [3, 2, 1, 1, 1][i % 5]]));
    const dailyCaps = Object.fromEntries(REP_EMAILS.map((e) => [e, 1_000_000]));
    const weighted = await seedAccountShape(c, acc.rows[0].id, actor, repIds, 'weighted', { weights, dailyCaps });
    await c.query('COMMIT');

    await c.query('SET synchronous_commit = off');
    await c.query(`SET maintenance_work_mem = '256MB'`);
    let started = performance.now();
    // Lead i was created (leads - i) minutes ago: about two years of history, ids in time order.
    await c.query(
      `INSERT INTO leads (account_id, team_id, lead_source_id, first_name, last_name, email, email_key, phone, company, job_title,
         location, number_of_employees, monthly_transaction_volume, interested_in_switching, process_stage,
         assigned_to, archived, created_by, updated_by, created_at, updated_at)
       SELECT $1, $2, ($3::int[])[1 + i % 2], f, l,
         lower(f || '.' || l || '.' || i || '@example.com'), lower(f || '.' || l || '.' || i || '@example.com'),
         '+1-555-' || lpad((i % 10000000)::text, 7, '0'),
         'Company ' || (i % 20000), 'Owner', 'City ' || (i % 500), 1 + i % 500, 1000 * (i % 900),
         i % 3 = 0, 'new', ($4::text[])[1 + i % 5], i % ${ARCHIVED_EVERY} = 0, $5, $5,
         now() - ($6 - i) * interval '1 minute', now() - ($6 - i) * interval '1 minute'
       FROM (SELECT i, ($7::text[])[1 + i % $8] AS f, ($9::text[])[1 + (i / 7) % $10] AS l
             FROM generate_series(1, $6::int) AS i) g`,
      [
        mainAccountId,
        main.teamId,
        main.leadSourceIds,
        REP_EMAILS,
        actor,
        leads,
        FIRST_NAMES,
        FIRST_NAMES.length,
        LAST_NAMES,
        LAST_NAMES.length,
      ],
    );
    timings.leadsMs = performance.now() - started;
    if (auditRows) {
      started = performance.now();
      await c.query(
        `INSERT INTO audit_logs (account_id, event, "user", data, created, request_method, request_path, request_headers,
           request_ip_address, status_code, lead_id)
         SELECT account_id, 'lead_created', $2,
           jsonb_build_object('firstName', first_name, 'lastName', last_name, 'teamId', team_id, 'leadSourceId', lead_source_id),
           created_at, 'POST', '/leads', '{"content-type": "application/json", "authorization": "********"}'::jsonb,
           '127.0.0.1', 201, id
         FROM leads WHERE account_id = $1 ORDER BY id`,
        [mainAccountId, actor],
      );
      timings.auditMs = performance.now() - started;
    }
    started = performance.now();
    // VACUUM as well as ANALYZE: a freshly loaded table has no visibility map yet, which would
    // make index-only scans visit the heap, unlike a table in steady state.
    await c.query('VACUUM (ANALYZE) leads');
    await c.query('VACUUM (ANALYZE) audit_logs');
    await c.query('ANALYZE');
    timings.vacuumAnalyzeMs = performance.now() - started;
    const range = await c.query('SELECT min(id) AS min, max(id) AS max FROM leads WHERE account_id = $1', [mainAccountId]);
    main.leadIdMin = Number(range.rows[0].min);
    main.leadIdMax = Number(range.rows[0].max);
    main.leadCount = leads;
    return { main, others, weighted };
  });
  return { ...fixture, timings };
}

/** Sets a per-database parameter; it applies to sessions opened afterwards. */
async function setDatabaseParameter(db, name, value) {
  await withClient(db.adminUrl, (c) => c.query(`ALTER DATABASE "${db.name}" SET ${name} = ${value}`));
}

/**
 * Waits until no statement runs on the database, up to `maxMs`: statements a process had started when
 * its load stopped run on to their end on the server (a floor's search or deep page for many seconds),
 * and would otherwise take the CPU from the next measurement. Returns the wait and what still ran.
 */
async function waitQuiet(db, maxMs = 120000) {
  const started = Date.now();
  const running = (c) =>
    c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active'`, [db.name]).then((r) => r.rows[0].n);
  return withClient(db.adminUrl, async (c) => {
    const atStart = await running(c);
    let left = atStart;
    while (left > 0 && Date.now() - started < maxMs) {
      await sleep(100);
      left = await running(c);
    }
    return { waitedMs: Date.now() - started, atStart, left };
  });
}

module.exports = {
  DEFAULT_ADMIN_URL,
  withClient,
  createScratchDatabase,
  serverInfo,
  seedAdmin,
  seedPostgres,
  setDatabaseParameter,
  waitQuiet,
};
