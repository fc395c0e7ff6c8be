'use strict';
// The floor for PostgreSQL: a bare node:http server with a `pg` pool (one connection per request)
// doing the SQL work of each endpoint in the naive order, with no framework, no authentication and
// no validation beyond firstName/lastName. Env: DATABASE_URL, PORT, POOL_SIZE (default 10, the
// service's default pool), BENCH_ACTOR (the email written as createdBy and audit user).
//
//   POST /leads      BEGIN; SELECT the rotation FOR UPDATE (skipped when assignedTo is given);
//                    UPDATE its pointer; INSERT the lead; INSERT the lead_created audit row; COMMIT
//   GET /leads       SELECT count(*); SELECT the page (ORDER BY created_at DESC, id DESC OFFSET/LIMIT)
//                    With FLOOR_FOLLOWS_CURSOR=1 (only as NestJS + the floor's SQL, bench/ceiling-nest.js),
//                    a request with the service's `cursor` gets the page after it by keyset instead, and
//                    the count is taken once per list and process: the least SQL a keyset page can cost.
//   GET /leads/{id}  SELECT the lead; SELECT its lead_* audit entries
//
// With FLOOR_LEAN=1 it is the lean floor, doing only the user-visible job of the two cheapest requests:
//   GET /leads/{id}  SELECT the lead (one statement)
//   POST /leads      with assignedTo: INSERT the lead and its lead_created audit row (one statement);
//                    without, as above

const { Pool } = require('pg');
const {
  INPUT_COLUMNS,
  inputValues,
  SEARCH_COLUMNS,
  LEAD_EVENTS,
  toLead,
  toAudit,
  sanitizeHeaders,
  serve,
  likePattern,
} = require('./lib/baseline-common');

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE || 10),
  application_name: 'leads-bench-baseline',
});
const ACTOR = process.env.BENCH_ACTOR || null;

const INSERT_LEAD = `INSERT INTO leads (account_id, ${INPUT_COLUMNS.map(([, c]) => `"${c}"`).join(', ')}, created_by, updated_by)
  VALUES (${Array.from({ length: INPUT_COLUMNS.length + 3 }, (_, i) => `$${i + 1}`).join(', ')}) RETURNING *`;
const INSERT_AUDIT = `INSERT INTO audit_logs (account_id, event, "user", api_key, data, created, request_method, request_path,
  request_headers, request_ip_address, status_code, lead_id)
  VALUES ($1, 'lead_created', $2, NULL, $3, now(), 'POST', $4, $5, $6, 201, $7) RETURNING *`;
// The team's active rotation, else the account's active default.
const SELECT_ROTATION = `SELECT id, user_rotation_array, current_position FROM lead_rotations
  WHERE account_id = $1 AND status = 'active' AND (team_id = $2 OR (team_id IS NULL AND is_default))
  ORDER BY team_id NULLS LAST LIMIT 1 FOR UPDATE`;
const SEARCH = `(${SEARCH_COLUMNS.map((c) => `LOWER(${c}) LIKE $2 ESCAPE '\\'`).join(' OR ')})`;

/** One pooled connection per request, for its two queries, as a plain pg handler would do. */
async function withConnection(fn) {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

function createLead(accountId, body, req) {
  if (LEAN && body.assignedTo) return createAssignedLean(accountId, body, req);
  return withConnection(async (client) => {
    try {
      await client.query('BEGIN');
      let assignedTo = body.assignedTo ?? null;
      if (assignedTo === null) {
        const rotation = (await client.query(SELECT_ROTATION, [accountId, body.teamId ?? null])).rows[0];
        const list = rotation?.user_rotation_array ?? [];
        if (list.length) {
          const position = rotation.current_position % list.length;
          assignedTo = list[position];
          await client.query('UPDATE lead_rotations SET current_position = $1, updated_at = now() WHERE id = $2', [
            (position + 1) % list.length,
            rotation.id,
          ]);
        }
      }
      const lead = (await client.query(INSERT_LEAD, [accountId, ...inputValues(body, assignedTo), body.createdBy ?? ACTOR, ACTOR])).rows[0];
      const audit = (
        await client.query(INSERT_AUDIT, [accountId, ACTOR, body, req.url, sanitizeHeaders(req.headers), req.socket.remoteAddress, lead.id])
      ).rows[0];
      await client.query('COMMIT');
      return [201, { ...toLead(lead), auditLog: [toAudit(audit)] }];
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

const LEAN = process.env.FLOOR_LEAN === '1';
// The lead and its entry in one statement: atomic without BEGIN/COMMIT round trips. Parameters:
// INSERT_LEAD's (account, the input columns, createdBy, updatedBy), then the entry's data, path,
// headers and address; the entry's user is the updatedBy.
const N = INPUT_COLUMNS.length;
const INSERT_LEAD_AND_AUDIT = `WITH l AS (${INSERT_LEAD}),
  a AS (INSERT INTO audit_logs (account_id, event, "user", api_key, data, created, request_method, request_path,
    request_headers, request_ip_address, status_code, lead_id)
    SELECT $1, 'lead_created', $${N + 3}, NULL, $${N + 4}, now(), 'POST', $${N + 5}, $${N + 6}, $${N + 7}, 201, l.id FROM l RETURNING *)
  SELECT l.*, (SELECT row_to_json(a.*) FROM a) AS audit FROM l`;

/** The lean floor's assigned create: one statement, no transaction block. */
async function createAssignedLean(accountId, body, req) {
  const { rows } = await pool.query(INSERT_LEAD_AND_AUDIT, [
    accountId,
    ...inputValues(body, body.assignedTo),
    body.createdBy ?? ACTOR,
    ACTOR,
    body,
    req.url,
    sanitizeHeaders(req.headers),
    req.socket.remoteAddress,
  ]);
  const { audit, ...lead } = rows[0];
  // row_to_json writes the timestamp as text with an offset.
  return [201, { ...toLead(lead), auditLog: [toAudit({ ...audit, created: new Date(audit.created) })] }];
}

const FOLLOWS_CURSOR = process.env.FLOOR_FOLLOWS_CURSOR === '1';
const KEYSET_PAGE = {
  name: 'floor_keyset_page',
  text: `SELECT * FROM leads WHERE account_id = $1 AND archived = false AND created_at <= $2
    AND (created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT $4`,
};
const counts = new Map();

/**
 * The page after the service's cursor (`-createdAt`: the last row's createdAt and id), by keyset.
 * The cursor is `<payload>.<signature>`; checking the signature is the service's job, not the floor's.
 */
function listAfterCursor(accountId, pageSize, cursor) {
  const {
    v: [createdAt, id],
    p: page,
  } = JSON.parse(Buffer.from(cursor.split('.')[0], 'base64url').toString('utf8'));
  return withConnection(async (client) => {
    if (!counts.has(accountId)) {
      const sql = 'SELECT count(*) AS n FROM leads WHERE account_id = $1 AND archived = false';
      counts.set(accountId, Number((await client.query(sql, [accountId])).rows[0].n));
    }
    const count = counts.get(accountId);
    const rows = (await client.query({ ...KEYSET_PAGE, values: [accountId, createdAt, id, pageSize] })).rows;
    return [200, { data: rows.map(toLead), totalCount: count, totalPages: Math.ceil(count / pageSize), currentPage: page }];
  });
}

function listLeads(accountId, { page, pageSize, search, cursor }) {
  if (FOLLOWS_CURSOR && cursor && !search) return listAfterCursor(accountId, pageSize, cursor);
  const where = `account_id = $1 AND archived = false${search ? ` AND ${SEARCH}` : ''}`;
  const params = search ? [accountId, likePattern(search)] : [accountId];
  const n = params.length;
  return withConnection(async (client) => {
    const count = Number((await client.query(`SELECT count(*) AS n FROM leads WHERE ${where}`, params)).rows[0].n);
    const offset = (page - 1) * pageSize;
    const rows =
      count > offset
        ? (
            await client.query(`SELECT * FROM leads WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`, [
              ...params,
              pageSize,
              offset,
            ])
          ).rows
        : [];
    return [200, { data: rows.map(toLead), totalCount: count, totalPages: Math.ceil(count / pageSize), currentPage: page }];
  });
}

async function getLeadLean(accountId, id) {
  const lead = (await pool.query('SELECT * FROM leads WHERE id = $1 AND account_id = $2', [id, accountId])).rows[0];
  return lead ? [200, toLead(lead)] : [404, { error: 'Lead not found' }];
}

function getLead(accountId, id) {
  if (LEAN) return getLeadLean(accountId, id);
  return withConnection(async (client) => {
    const lead = (await client.query('SELECT * FROM leads WHERE id = $1 AND account_id = $2', [id, accountId])).rows[0];
    if (!lead) return [404, { error: 'Lead not found' }];
    const audit = await client.query('SELECT * FROM audit_logs WHERE account_id = $1 AND lead_id = $2 AND event = ANY($3) ORDER BY id', [
      accountId,
      id,
      LEAD_EVENTS,
    ]);
    return [200, { ...toLead(lead), auditLog: audit.rows.map(toAudit) }];
  });
}

async function health() {
  await pool.query('SELECT 1');
  return [200, { status: 'ok' }];
}

const handlers = { health, createLead, listLeads, getLead };
// Also loaded as a module by bench/ceiling-nest.js (CEILING_FLOOR), which runs these handlers inside NestJS.
module.exports = handlers;

if (require.main === module) serve(handlers, () => pool.end());
