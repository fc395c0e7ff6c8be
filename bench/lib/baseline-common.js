'use strict';
// What both baseline servers share: the lead columns and their JSON names, body parsing, header
// masking and the routing of the four endpoints. No framework, no validation library, no auth.

const http = require('node:http');

/** [API field, column, kind]: kind converts SQLite values (booleans are 0/1, datetimes are text). */
const LEAD_COLUMNS = [
  ['id', 'id', 'int'],
  ['accountId', 'account_id', 'account'],
  ['teamId', 'team_id', 'int'],
  ['leadSourceId', 'lead_source_id', 'int'],
  ['applicationId', 'application_id', 'text'],
  ['firstName', 'first_name', 'text'],
  ['lastName', 'last_name', 'text'],
  ['imgSrc', 'img_src', 'text'],
  ['email', 'email', 'text'],
  ['phone', 'phone', 'text'],
  ['company', 'company', 'text'],
  ['jobTitle', 'job_title', 'text'],
  ['branch', 'branch', 'text'],
  ['source', 'source', 'text'],
  ['position', 'position', 'text'],
  ['location', 'location', 'text'],
  ['productsServicesSold', 'products_services_sold', 'text'],
  ['numberOfEmployees', 'number_of_employees', 'int'],
  ['currentPaymentProcessor', 'current_payment_processor', 'text'],
  ['monthlyTransactionVolume', 'monthly_transaction_volume', 'int'],
  ['interestedInSwitching', 'interested_in_switching', 'bool'],
  ['processStage', 'process_stage', 'text'],
  ['buyingRole', 'buying_role', 'text'],
  ['assignedTo', 'assigned_to', 'text'],
  ['notes', 'notes', 'text'],
  ['lastContacted', 'last_contacted', 'date'],
  ['archived', 'archived', 'bool'],
  ['createdBy', 'created_by', 'text'],
  ['updatedBy', 'updated_by', 'text'],
  ['createdAt', 'created_at', 'date'],
  ['updatedAt', 'updated_at', 'date'],
];

/** Body fields written on create (everything the client may send, in column order). */
const INPUT_COLUMNS = LEAD_COLUMNS.filter(
  ([field]) => !['id', 'accountId', 'createdBy', 'updatedBy', 'createdAt', 'updatedAt'].includes(field),
);

/** Values of INPUT_COLUMNS for a create: the body's, `assignedTo` as decided, `archived` false by default. */
function inputValues(body, assignedTo) {
  return INPUT_COLUMNS.map(([field]) => {
    if (field === 'assignedTo') return assignedTo;
    if (field === 'archived') return body.archived ?? false;
    return body[field] ?? null;
  });
}

/** The columns `search=` matches: the searchable fields of the service's LEAD_LIST_SPEC. */
const SEARCH_COLUMNS = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'company',
  'job_title',
  'branch',
  'source',
  'position',
  'location',
  'products_services_sold',
  'current_payment_processor',
  'process_stage',
  'buying_role',
  'assigned_to',
  'notes',
];

/** The events of a lead's history (GET /leads/{id} lists only these). */
const LEAD_EVENTS = ['lead_created', 'lead_updated', 'lead_assigned', 'lead_archived', 'lead_unarchived', 'lead_deleted'];

const AUDIT_COLUMNS = [
  ['id', 'id', 'int'],
  ['event', 'event', 'text'],
  ['user', 'user', 'text'],
  ['apiKey', 'api_key', 'text'],
  ['data', 'data', 'json'],
  ['created', 'created', 'date'],
  ['requestMethod', 'request_method', 'text'],
  ['requestPath', 'request_path', 'text'],
  ['requestHeaders', 'request_headers', 'json'],
  ['requestIpAddress', 'request_ip_address', 'text'],
  ['account_id', 'account_id', 'account'],
];

function convert(value, kind) {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'account':
      return String(value);
    case 'bool':
      return value === true || value === 1;
    case 'date':
      // pg gives Date objects; SQLite gives TypeORM's `YYYY-MM-DD HH:MM:SS.SSS` UTC text.
      return value instanceof Date ? value.toISOString() : new Date(`${String(value).replace(' ', 'T')}Z`).toISOString();
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value;
    default:
      return value;
  }
}

function mapRow(row, columns) {
  const out = {};
  for (const [field, column, kind] of columns) out[field] = convert(row[column], kind);
  return out;
}

const toLead = (row) => mapRow(row, LEAD_COLUMNS);
const toAudit = (row) => mapRow(row, AUDIT_COLUMNS);

const MASKED = new Set(['authorization', 'cookie', 'x-api-key', 'x-api-secret', 'proxy-authorization']);
function sanitizeHeaders(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) out[k] = MASKED.has(k) ? '********' : v;
  return out;
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function readJson(req, limit = 100 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) reject(new HttpError(413, 'Payload too large'));
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        reject(new HttpError(400, 'Malformed JSON'));
      }
    });
    req.on('error', reject);
  });
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function accountIdOf(req) {
  const raw = req.headers['x-account-id'];
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw new HttpError(400, 'x-account-id header is required');
  return Number(raw);
}

function positiveInt(value, fallback, max = Number.MAX_SAFE_INTEGER) {
  if (value === null || value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, 'Invalid page or pageSize');
  return n;
}

/**
 * Routes GET /health, POST /leads, GET /leads and GET /leads/{id} to `handlers` (async functions
 * returning [status, body]); the same for both databases.
 */
function createHandler(handlers) {
  return async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      const byId = /^\/leads\/(\d{1,10})$/.exec(url.pathname);
      let result;
      if (req.method === 'GET' && url.pathname === '/health') result = await handlers.health();
      else if (req.method === 'POST' && url.pathname === '/leads') {
        const body = await readJson(req);
        if (typeof body.firstName !== 'string' || typeof body.lastName !== 'string') {
          throw new HttpError(400, 'firstName and lastName are required');
        }
        result = await handlers.createLead(accountIdOf(req), body, req);
      } else if (req.method === 'GET' && url.pathname === '/leads') {
        result = await handlers.listLeads(
          accountIdOf(req),
          listOptions((name) => url.searchParams.get(name)),
        );
      } else if (req.method === 'GET' && byId) result = await handlers.getLead(accountIdOf(req), Number(byId[1]));
      else result = [404, { error: 'Not found' }];
      send(res, result[0], result[1]);
    } catch (e) {
      if (e instanceof HttpError) return send(res, e.status, { error: e.message });
      process.stderr.write(`baseline: ${e.stack || e}\n`);
      send(res, 500, { error: 'Internal server error' });
    }
  };
}

/** The list handler's options from a request's query parameters (`get(name)`: the value or null). */
function listOptions(get) {
  return {
    page: positiveInt(get('page'), 1),
    pageSize: positiveInt(get('pageSize'), 10, 100),
    search: get('search')?.trim() || null,
    cursor: get('cursor') ?? null,
  };
}

/**
 * Serves `handlers` on PORT (default 3412) with `createHandler`; on SIGTERM/SIGINT stops accepting,
 * drops the kept-alive connections, awaits `close` (the floor's database) and exits.
 */
function serve(handlers, close) {
  const server = http.createServer(createHandler(handlers));
  server.keepAliveTimeout = 65000;
  server.listen(Number(process.env.PORT || 3412), '127.0.0.1');
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      server.close();
      server.closeAllConnections();
      Promise.resolve()
        .then(close)
        .finally(() => process.exit(0));
    });
  }
}

/** `%text%` with LIKE wildcards escaped, lower-cased (matched against LOWER(column)). */
const likePattern = (text) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

module.exports = {
  LEAD_COLUMNS,
  INPUT_COLUMNS,
  inputValues,
  SEARCH_COLUMNS,
  LEAD_EVENTS,
  toLead,
  toAudit,
  sanitizeHeaders,
  HttpError,
  createHandler,
  listOptions,
  serve,
  likePattern,
};
