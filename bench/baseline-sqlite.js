'use strict';
// The floor for SQLite: a bare node:http server with better-sqlite3 (the service's pragmas: WAL,
// synchronous=NORMAL, foreign keys, busy timeout) doing the SQL work of each endpoint in the naive
// order, with no framework and no authentication. Env: DATABASE_PATH, PORT, BENCH_ACTOR.
//
//   POST /leads      BEGIN IMMEDIATE; SELECT the rotation; UPDATE its pointer (both skipped when
//                    assignedTo is given); INSERT the lead; INSERT the lead_created audit row; COMMIT
//   GET /leads       SELECT count(*); SELECT the page (ORDER BY created_at DESC, id DESC LIMIT/OFFSET)
//   GET /leads/{id}  SELECT the lead; SELECT its lead_* audit entries

const Database = require('better-sqlite3');
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

const db = new Database(process.env.DATABASE_PATH);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('foreign_keys = ON');
db.pragma('synchronous = NORMAL');
const ACTOR = process.env.BENCH_ACTOR || null;
const NOW = `strftime('%Y-%m-%d %H:%M:%f', 'now')`;

const selectRotation = db.prepare(`SELECT id, user_rotation_array, current_position FROM lead_rotations
  WHERE account_id = ? AND status = 'active' AND (team_id = ? OR (team_id IS NULL AND is_default = 1))
  ORDER BY team_id IS NULL LIMIT 1`);
const updatePointer = db.prepare(`UPDATE lead_rotations SET current_position = ?, updated_at = ${NOW} WHERE id = ?`);
const insertLead = db.prepare(`INSERT INTO leads (account_id, ${INPUT_COLUMNS.map(([, c]) => `"${c}"`).join(', ')},
  created_by, updated_by, created_at, updated_at)
  VALUES (${Array.from({ length: INPUT_COLUMNS.length + 3 }, () => '?').join(', ')}, ${NOW}, ${NOW}) RETURNING *`);
const insertAudit = db.prepare(`INSERT INTO audit_logs (account_id, event, "user", api_key, data, created, request_method,
  request_path, request_headers, request_ip_address, status_code, lead_id)
  VALUES (?, 'lead_created', ?, NULL, ?, ${NOW}, 'POST', ?, ?, ?, 201, ?) RETURNING *`);
const selectLead = db.prepare('SELECT * FROM leads WHERE id = ? AND account_id = ?');
const selectAudit = db.prepare(
  `SELECT * FROM audit_logs WHERE account_id = ? AND lead_id = ? AND event IN (${LEAD_EVENTS.map(() => '?').join(', ')}) ORDER BY id`,
);

const create = db.transaction((accountId, body, meta) => {
  let assignedTo = body.assignedTo ?? null;
  if (assignedTo === null) {
    const rotation = selectRotation.get(accountId, body.teamId ?? null);
    const list = rotation ? JSON.parse(rotation.user_rotation_array) : [];
    if (list.length) {
      const position = rotation.current_position % list.length;
      assignedTo = list[position];
      updatePointer.run((position + 1) % list.length, rotation.id);
    }
  }
  const values = inputValues(body, assignedTo).map((v) => (typeof v === 'boolean' ? Number(v) : v));
  const lead = insertLead.get(accountId, ...values, body.createdBy ?? ACTOR, ACTOR);
  const audit = insertAudit.get(accountId, ACTOR, JSON.stringify(body), meta.path, JSON.stringify(meta.headers), meta.ip, lead.id);
  return { lead, audit };
});

async function createLead(accountId, body, req) {
  const { lead, audit } = create.immediate(accountId, body, {
    path: req.url,
    headers: sanitizeHeaders(req.headers),
    ip: req.socket.remoteAddress,
  });
  return [201, { ...toLead(lead), auditLog: [toAudit(audit)] }];
}

const SEARCH = `(${SEARCH_COLUMNS.map((c) => `LOWER(${c}) LIKE @search ESCAPE '\\'`).join(' OR ')})`;
const statements = new Map();
function listStatements(withSearch) {
  if (!statements.has(withSearch)) {
    const where = `account_id = @account AND archived = 0${withSearch ? ` AND ${SEARCH}` : ''}`;
    statements.set(withSearch, {
      count: db.prepare(`SELECT count(*) AS n FROM leads WHERE ${where}`),
      page: db.prepare(`SELECT * FROM leads WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`),
    });
  }
  return statements.get(withSearch);
}

async function listLeads(accountId, { page, pageSize, search }) {
  const st = listStatements(!!search);
  const params = search ? { account: accountId, search: likePattern(search) } : { account: accountId };
  const count = st.count.get(params).n;
  const rows = count > (page - 1) * pageSize ? st.page.all({ ...params, limit: pageSize, offset: (page - 1) * pageSize }) : [];
  return [200, { data: rows.map(toLead), totalCount: count, totalPages: Math.ceil(count / pageSize), currentPage: page }];
}

async function getLead(accountId, id) {
  const lead = selectLead.get(id, accountId);
  if (!lead) return [404, { error: 'Lead not found' }];
  return [200, { ...toLead(lead), auditLog: selectAudit.all(accountId, id, ...LEAD_EVENTS).map(toAudit) }];
}

async function health() {
  db.prepare('SELECT 1').get();
  return [200, { status: 'ok' }];
}

const handlers = { health, createLead, listLeads, getLead };
// Also loaded as a module by bench/ceiling-nest.js (CEILING_FLOOR), which runs these handlers inside NestJS.
module.exports = handlers;

if (require.main === module) serve(handlers, () => db.close());
