'use strict';
// The SQLite counterpart of seed-pg.js, written through better-sqlite3 while the service is stopped.
// Timestamps are TypeORM's SQLite text format (UTC `YYYY-MM-DD HH:MM:SS.SSS`), JSON columns are text.

const Database = require('better-sqlite3');
const { REP_EMAILS, FIRST_NAMES, LAST_NAMES, ARCHIVED_EVERY, hashPassword } = require('./fixture');

const NOW = `strftime('%Y-%m-%d %H:%M:%f', 'now')`;

function open(path) {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** The fallback while the bootstrap is not available: admin user, account and membership. */
async function seedAdminSqlite(path, admin) {
  const hash = await hashPassword(admin.password);
  const db = open(path);
  try {
    db.transaction(() => {
      if (db.prepare('SELECT id FROM users WHERE email = ?').get(admin.email)) return;
      const userId = db
        .prepare(
          `INSERT INTO users (email, password_hash, active, is_super_admin, created_at, updated_at) VALUES (?, ?, 1, 1, ${NOW}, ${NOW})`,
        )
        .run(admin.email, hash).lastInsertRowid;
      const accountId = db
        .prepare(`INSERT INTO accounts (name, created_by, created_at, updated_at) VALUES ('Bench account', ?, ${NOW}, ${NOW})`)
        .run(admin.email).lastInsertRowid;
      db.prepare(
        `INSERT INTO memberships (account_id, user_id, role, active, is_primary, created_by, created_at, updated_at)
         VALUES (?, ?, 'admin', 1, 1, ?, ${NOW}, ${NOW})`,
      ).run(accountId, userId, admin.email);
    })();
  } finally {
    db.close();
  }
}

/** Reps, team, two lead sources, team rotation and `leads` leads (with audit rows) in `mainAccountId`. */
function seedSqlite(path, { mainAccountId, actor, leads, auditRows }) {
  const db = open(path);
  const timings = {};
  try {
    const main = db.transaction(() => {
      const repIds = REP_EMAILS.map(
        (email, i) =>
          db
            .prepare(`INSERT INTO users (email, name, active, created_at, updated_at) VALUES (?, ?, 1, ${NOW}, ${NOW})`)
            .run(email, `Rep ${i}`).lastInsertRowid,
      );
      const membership = db.prepare(
        `INSERT INTO memberships (account_id, user_id, role, active, is_primary, created_by, created_at, updated_at)
         VALUES (?, ?, 'user', 1, 0, ?, ${NOW}, ${NOW})`,
      );
      for (const id of repIds) membership.run(mainAccountId, id, actor);
      const teamId = db
        .prepare(
          `INSERT INTO teams (account_id, name, created_by, updated_by, created_at, updated_at) VALUES (?, 'Bench team', ?, ?, ${NOW}, ${NOW})`,
        )
        .run(mainAccountId, actor, actor).lastInsertRowid;
      repIds.forEach((id, i) => db.prepare('INSERT INTO team_members (team_id, user_id, position) VALUES (?, ?, ?)').run(teamId, id, i));
      const source = db.prepare(
        `INSERT INTO lead_sources (account_id, team_id, name, created_by, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ${NOW}, ${NOW})`,
      );
      const leadSourceIds = ['Web form', 'Trade show'].map((name) =>
        Number(source.run(mainAccountId, teamId, name, actor, actor).lastInsertRowid),
      );
      const rotationId = db
        .prepare(
          `INSERT INTO lead_rotations (account_id, name, is_default, status, team_id, user_rotation_array, current_position, created_by, updated_by, created_at, updated_at)
           VALUES (?, 'Bench rotation', 0, 'active', ?, ?, 0, ?, ?, ${NOW}, ${NOW})`,
        )
        .run(mainAccountId, teamId, JSON.stringify(REP_EMAILS), actor, actor).lastInsertRowid;
      return {
        accountId: String(mainAccountId),
        teamId: Number(teamId),
        leadSourceIds,
        rotationId: Number(rotationId),
        emails: REP_EMAILS,
      };
    })();

    let started = performance.now();
    db.transaction(() => {
      const names = (list) => `json('${JSON.stringify(list)}')`;
      db.prepare(
        `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < @leads),
           g AS (SELECT i, json_extract(${names(FIRST_NAMES)}, '$[' || (i % ${FIRST_NAMES.length}) || ']') AS f,
                           json_extract(${names(LAST_NAMES)}, '$[' || ((i / 7) % ${LAST_NAMES.length}) || ']') AS l FROM s)
         INSERT INTO leads (account_id, team_id, lead_source_id, first_name, last_name, email, email_key, phone, company, job_title,
           location, number_of_employees, monthly_transaction_volume, interested_in_switching, process_stage,
           assigned_to, archived, created_by, updated_by, created_at, updated_at)
         SELECT @account, @team, CASE i % 2 WHEN 0 THEN @source0 ELSE @source1 END, f, l,
           lower(f || '.' || l || '.' || i || '@example.com'), lower(f || '.' || l || '.' || i || '@example.com'), '+1-555-' || substr('0000000' || i, -7),
           'Company ' || (i % 20000), 'Owner', 'City ' || (i % 500), 1 + i % 500, 1000 * (i % 900),
           i % 3 = 0, 'new', json_extract(@reps, '$[' || (i % 5) || ']'), i % ${ARCHIVED_EVERY} = 0, @actor, @actor,
           strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (@leads - i) || ' minutes'),
           strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (@leads - i) || ' minutes')
         FROM g`,
      ).run({
        leads,
        account: mainAccountId,
        team: main.teamId,
        source0: main.leadSourceIds[0],
        source1: main.leadSourceIds[1],
        reps: JSON.stringify(REP_EMAILS),
        actor,
      });
      timings.leadsMs = performance.now() - started;
      if (auditRows) {
        started = performance.now();
        db.prepare(
          `INSERT INTO audit_logs (account_id, event, "user", data, created, request_method, request_path, request_headers,
             request_ip_address, status_code, lead_id)
           SELECT account_id, 'lead_created', @actor,
             json_object('firstName', first_name, 'lastName', last_name, 'teamId', team_id, 'leadSourceId', lead_source_id),
             created_at, 'POST', '/leads', '{"content-type":"application/json","authorization":"********"}', '127.0.0.1', 201, id
           FROM leads WHERE account_id = @account ORDER BY id`,
        ).run({ account: mainAccountId, actor });
        timings.auditMs = performance.now() - started;
      }
    })();
    started = performance.now();
    db.exec('ANALYZE');
    timings.vacuumAnalyzeMs = performance.now() - started;
    const range = db.prepare('SELECT min(id) AS min, max(id) AS max FROM leads WHERE account_id = ?').get(mainAccountId);
    main.leadIdMin = range.min;
    main.leadIdMax = range.max;
    main.leadCount = leads;
    return { main, others: [], timings, sqliteVersion: db.prepare('SELECT sqlite_version() AS v').get().v };
  } finally {
    db.close();
  }
}

module.exports = { seedAdminSqlite, seedSqlite };
