import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { load } from 'js-yaml';
import { BEARER_DESCRIPTION } from '../src/openapi';
import { createTestApp, TestApp } from './utils/test-app';

const ERROR_BODY = JSON.stringify({ $ref: '#/components/schemas/Error' });

type Schema = {
  type?: string;
  description?: string;
  required?: string[];
  properties?: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
};
type Doc = {
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, unknown>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
  paths: Record<string, Record<string, Record<string, unknown>>>;
};

/** The attributes of a property that must be exactly the contract's. */
const COMPARED = ['type', 'format', 'description', 'readOnly', 'nullable', 'default', 'items', '$ref', 'example'] as const;

/**
 * Our document may only narrow the contract (test/fixtures/post-leads.openapi.yaml), never loosen it:
 * every contract property keeps its name, type, format, description and example; `required` may grow
 * to list what the server always sends; additions are deliberate and named here: Lead's `assignment`
 * (§7), Error's `message`/`details`, the bearer format and description, and the Error body on 401/500.
 * POST /leads's description starts with the contract's and goes on with its errors and permission, and
 * its body and responses carry examples beside the contract's schemas, so those are compared as
 * "starts with" and "contains".
 */
describe('OpenAPI document against post-leads.openapi.yaml', () => {
  let t: TestApp;
  let ours: Doc;
  const contract = load(readFileSync(resolve(__dirname, 'fixtures/post-leads.openapi.yaml'), 'utf8')) as Doc;

  beforeAll(async () => {
    t = await createTestApp();
    ours = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t.close();
  });

  const pick = (o: Record<string, unknown>) => Object.fromEntries(COMPARED.filter((k) => k in o).map((k) => [k, o[k]]));

  function expectSchemaMatches(name: string, opts: { extraProperties?: string[]; alsoRequired?: string[] } = {}) {
    const theirs = contract.components.schemas[name];
    const mine = ours.components.schemas[name];
    expect(mine).toBeDefined();
    expect(mine.type).toBe(theirs.type);
    expect(mine.description).toBe(theirs.description);
    // Narrower only: everything the contract requires, plus what the server always sends.
    expect([...(mine.required ?? [])].sort()).toEqual([...(theirs.required ?? []), ...(opts.alsoRequired ?? [])].sort());
    // Same properties, in the same order, nothing missing, nothing unexpected.
    expect(Object.keys(mine.properties ?? {})).toEqual([...Object.keys(theirs.properties ?? {}), ...(opts.extraProperties ?? [])]);
    for (const [prop, spec] of Object.entries(theirs.properties ?? {})) {
      expect({ prop, ...pick(mine.properties![prop]) }).toEqual({ prop, ...pick(spec) });
    }
  }

  it('has the contract’s LeadInput', () => expectSchemaMatches('LeadInput'));

  /** The schemas a schema refers to, itself included, each once ($ref, properties, items, combinators, maps). */
  function reachable(start: unknown, seen = new Map<string, Schema>(), path = '(inline)'): Map<string, Schema> {
    if (!start || typeof start !== 'object') return seen;
    const s = start as Schema & { $ref?: string };
    if (typeof s.$ref === 'string') {
      const name = s.$ref.replace('#/components/schemas/', '');
      if (!seen.has(name)) {
        seen.set(name, ours.components.schemas[name]);
        reachable(ours.components.schemas[name], seen, name);
      }
      return seen;
    }
    if (!seen.has(path)) seen.set(path, s);
    const children: unknown[] = [
      ...Object.values(s.properties ?? {}),
      s.items,
      s.additionalProperties,
      ...((s.allOf as unknown[]) ?? []),
      ...((s.oneOf as unknown[]) ?? []),
      ...((s.anyOf as unknown[]) ?? []),
    ];
    children.forEach((c, i) => reachable(c, seen, `${path}/${i}`));
    return seen;
  }

  /** Every operation as [label, operation]. */
  const operations = () =>
    Object.entries(ours.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Record<string, unknown>>).map(([method, op]) => [`${method} ${path}`, op] as const),
    );
  const jsonSchema = (o: unknown) =>
    (o as { content?: Record<string, { schema?: unknown }> } | undefined)?.content?.['application/json']?.schema;

  it('says in every response schema which properties are always sent', () => {
    // AuditLogEntry is the seed's (it names none; AuditLogRecord, its GET /audit-logs form, does);
    // /health's report is @nestjs/terminus's.
    const exempt = new Set(['AuditLogEntry']);
    const problems: string[] = [];
    for (const [label, op] of operations()) {
      if (label === 'get /health') continue;
      for (const [status, response] of Object.entries(op.responses as Record<string, unknown>)) {
        if (!status.startsWith('2')) continue;
        for (const [name, schema] of reachable(jsonSchema(response), new Map(), `${label} ${status}`)) {
          if (exempt.has(name) || !schema.properties || Object.keys(schema.properties).length === 0) continue;
          if (!schema.required?.length) problems.push(`${label} ${status}: ${name} has no required list`);
        }
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('types every object: no bare `type: object` (generated clients would read Record<string, never>)', () => {
    const problems: string[] = [];
    const visit = (node: unknown, path: string) => {
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      const typed = ['properties', 'additionalProperties', 'allOf', 'oneOf', 'anyOf', '$ref'].some((k) => k in o);
      if (o.type === 'object' && !typed) problems.push(path);
      for (const [k, v] of Object.entries(o)) if (k !== 'example' && k !== 'examples') visit(v, `${path}/${k}`);
    };
    visit(ours, '#');
    expect(problems).toEqual([]);
  });

  it('describes request bodies as the validation pipe reads them: closed, and no `default` that would make a field required', () => {
    // LeadInput keeps the seed's own defaults (the comparison with the seed requires them).
    const seedDefaults = new Set(['LeadInput']);
    const problems: string[] = [];
    for (const [label, op] of operations()) {
      if (!('requestBody' in op)) continue;
      for (const [name, schema] of reachable(jsonSchema(op.requestBody), new Map(), `${label} body`)) {
        if (schema.properties && Object.keys(schema.properties).length && schema.additionalProperties !== false)
          problems.push(`${label}: ${name} is not closed`);
        for (const [prop, spec] of Object.entries(schema.properties ?? {}))
          if ('default' in spec && !seedDefaults.has(name)) problems.push(`${label}: ${name}.${prop} has a default`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
    expect(ours.components.schemas.LoginDto.oneOf).toEqual([
      { $ref: '#/components/schemas/PasswordLoginDto' },
      { $ref: '#/components/schemas/ApiKeyLoginDto' },
    ]);
    expect(ours.components.schemas.PasswordLoginDto.required).toEqual(['email', 'password']);
    expect(ours.components.schemas.ApiKeyLoginDto.required).toEqual(['apiKey', 'apiSecret']);
  });

  it('lists the closed sets: sort keys, statuses, audit events, and types the `null` id filters', () => {
    const param = (path: string, name: string) =>
      ((ours.paths[path].get.parameters as Record<string, unknown>[]).find((p) => p.name === name) ?? {}) as Record<string, unknown>;
    for (const path of ['/leads', '/teams', '/lead-sources', '/lead-rotations', '/users', '/apikeys', '/audit-logs']) {
      const sort = param(path, 'sort');
      expect({ path, style: sort.style, explode: sort.explode, type: (sort.schema as Schema)?.type }).toEqual({
        path,
        style: 'form',
        explode: false,
        type: 'array',
      });
      const keys = ((sort.schema as Schema).items as Schema).enum as string[];
      expect({ path, descending: keys.filter((k) => k.startsWith('-')).map((k) => k.slice(1)) }).toEqual({
        path,
        descending: keys.filter((k) => !k.startsWith('-')),
      });
    }
    expect(param('/lead-rotations', 'status').schema).toMatchObject({ type: 'array', items: { enum: ['active', 'archived', 'queued'] } });
    expect(param('/leads', 'teamId').schema).toEqual({
      anyOf: [
        { type: 'integer', minimum: 1, maximum: 2147483647 },
        { type: 'string', enum: ['null'] },
      ],
    });
    const events = (param('/audit-logs', 'event').schema as Schema).enum as string[];
    expect(events).toEqual(expect.arrayContaining(['api_request', 'login', 'lead_created', 'lead_updated', 'request_rejected']));
    expect(ours.components.schemas.AuditLogRecord.properties!.event.enum).toEqual(events);
  });

  it('documents `cursor` only on the list that pages by keyset (GET /leads)', () => {
    const withCursor = Object.entries(ours.paths)
      .filter(([, item]) => (item.get?.parameters as { name: string }[] | undefined)?.some((p) => p.name === 'cursor'))
      .map(([path]) => path);
    expect(withCursor).toEqual(['/leads']);
  });

  it('has the contract’s Lead, requiring what is always sent (unset fields are absent, never null)', () => {
    // `assignment` is the wire's addition (contract §7: POST /leads answers it).
    expectSchemaMatches('Lead', {
      extraProperties: ['assignment'],
      alsoRequired: ['accountId', 'archived', 'createdBy', 'createdAt', 'updatedAt', 'auditLog'],
    });
    expect(ours.components.schemas.Lead.properties!.auditLog).toEqual({
      type: 'array',
      readOnly: true,
      description: contract.components.schemas.Lead.properties!.auditLog.description,
      items: { $ref: '#/components/schemas/AuditLogEntry' },
    });
  });

  it('has the contract’s AuditLogEntry', () => expectSchemaMatches('AuditLogEntry'));

  it('has the contract’s Error (plus message and details)', () => {
    expectSchemaMatches('Error', { extraProperties: ['message', 'details'] });
  });

  it('has the x-account-id parameter and the bearer scheme', () => {
    expect(ours.components.parameters.xAccountIdHeader).toEqual(contract.components.parameters.xAccountIdHeader);
    // The scheme's description is ours: it is what the Authorize dialog shows.
    expect(ours.components.securitySchemes.bearer).toEqual({
      ...contract.components.securitySchemes.bearer,
      bearerFormat: 'JWT',
      description: BEARER_DESCRIPTION,
    });
    for (const needed of ['POST /auth/login', '"email", "password"', '"apiKey", "apiSecret"', 'token', 'x-account-id'])
      expect({ needed, found: BEARER_DESCRIPTION.includes(needed) }).toEqual({ needed, found: true });
  });

  it('describes POST /leads as the contract does', () => {
    const theirs = contract.paths['/leads'].post;
    const mine = ours.paths['/leads'].post;
    expect(mine.summary).toBe(theirs.summary);
    // Ours continues the contract's description with the distinctive errors and the permission it needs.
    expect((mine.description as string).startsWith(theirs.description as string)).toBe(true);
    expect(mine.security).toEqual(theirs.security);
    // `required: false` is the default of a query parameter, so the two are the same parameter.
    const normalize = (p: Record<string, unknown>) => ('$ref' in p ? p : { required: false, ...p });
    // The contract's parameters, in its order; ours adds §8's onDuplicate and the Idempotency-Key header after them.
    expect((mine.parameters as Record<string, unknown>[]).map(normalize)).toEqual([
      ...(theirs.parameters as Record<string, unknown>[]).map(normalize),
      expect.objectContaining({
        in: 'query',
        name: 'onDuplicate',
        schema: { type: 'string', enum: ['allow', 'reject', 'return_existing'] },
      }),
      { $ref: '#/components/parameters/idempotencyKeyHeader' },
    ]);
    // The contract's body, plus the example "Try it out" starts from.
    const body = mine.requestBody as { content: Record<string, Record<string, unknown>> };
    expect(body).toEqual({
      ...(theirs.requestBody as object),
      content: { 'application/json': { ...(theirs.requestBody as typeof body).content['application/json'], examples: expect.any(Object) } },
    });

    const responses = mine.responses as Record<string, Record<string, unknown>>;
    const expected = theirs.responses as Record<string, Record<string, unknown>>;
    // Every response of the contract; ours adds a duplicate's 200 and 409 (§8), the answers of Idempotency-Key and the
    // statuses every write can answer (a body too large or in another charset, the rate limit, the database down).
    expect(Object.keys(responses).sort()).toEqual([...Object.keys(expected), '200', '409', '413', '415', '422', '429', '503'].sort());
    for (const [status, response] of Object.entries(expected)) {
      expect({ status, description: responses[status].description }).toEqual({ status, description: response.description });
      // The contract's schema, plus an example of each body the server sends for the status.
      const content = responses[status].content as Record<string, Record<string, unknown>>;
      const theirContent = (response.content ?? {
        'application/json': { schema: { $ref: '#/components/schemas/Error' } },
      }) as typeof content;
      expect({ status, schema: content['application/json'].schema }).toEqual({ status, schema: theirContent['application/json'].schema });
    }
  });

  it('documents the other lead routes and GET /audit-logs', () => {
    const ops = [
      ['/leads', 'get'],
      ['/leads/{id}', 'get'],
      ['/leads/{id}', 'patch'],
      ['/leads/{id}', 'delete'],
      ['/leads/{id}/archive', 'post'],
      ['/leads/{id}/archive', 'delete'],
      ['/audit-logs', 'get'],
    ] as const;
    for (const [path, method] of ops) {
      const op = ours.paths[path]?.[method];
      expect({ path, method, documented: !!op }).toEqual({ path, method, documented: true });
      expect(op.security).toEqual([{ bearer: [] }]);
      expect((op.parameters as Record<string, unknown>[])[0]).toEqual({ $ref: '#/components/parameters/xAccountIdHeader' });
    }
    expect(ours.components.schemas.UpdateLeadInput.required ?? []).toEqual([]);
    expect(Object.keys(ours.components.schemas.UpdateLeadInput.properties!)).toEqual(
      Object.keys(ours.components.schemas.LeadInput.properties!),
    );
    expect(ours.components.schemas.AuditLogRecord.properties).toMatchObject({
      statusCode: { type: 'integer' },
      leadId: { type: 'integer', nullable: true },
    });
  });

  it('declares its tags in reading order and gives every operation a summary, a declared tag and its security', () => {
    const tags = (ours as unknown as { tags: { name: string; description: string }[] }).tags;
    expect(tags.map((tg) => tg.name)).toEqual([
      'Auth',
      'Leads',
      'Lead rotations',
      'Teams',
      'Lead sources',
      'Users',
      'Accounts',
      'API keys',
      'Webhooks',
      'Audit log',
      'Health',
    ]);
    for (const tg of tags) expect({ tag: tg.name, described: tg.description.length > 10 }).toEqual({ tag: tg.name, described: true });
    expect((ours as unknown as { servers: unknown[] }).servers).toEqual([
      { url: '/', description: 'The server this document is served from' },
    ]);
    const problems: string[] = [];
    for (const [path, item] of Object.entries(ours.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
        if (typeof op.summary !== 'string' || !op.summary) problems.push(`${method} ${path}: no summary`);
        const opTags = (op.tags as string[] | undefined) ?? [];
        if (opTags.length !== 1 || !tags.some((tg) => tg.name === opTags[0]))
          problems.push(`${method} ${path}: tags ${JSON.stringify(opTags)}`);
        if (!Array.isArray(op.security)) problems.push(`${method} ${path}: no security`);
      }
    }
    expect(problems).toEqual([]);
    expect(ours.paths['/auth/login'].post.security).toEqual([]);
    expect(ours.paths['/health'].get.security).toEqual([]);
  });

  it('describes every operation, ending with the permission it needs (from x-permissions, kept too)', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(ours.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
        const description = String(op.description ?? '');
        const permissions = (op['x-permissions'] as string[] | undefined) ?? [];
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        const access = isPublic
          ? 'Public: needs no token and no x-account-id.'
          : permissions.length
            ? `Requires the ${permissions.map((p) => `\`${p}\``).join(' and ')} permission${permissions.length > 1 ? 's' : ''} in the x-account-id account.`
            : 'Needs a bearer token only: no permission and no x-account-id.';
        if (!description.endsWith(` ${access}`)) problems.push(`${method} ${path}: does not end with "${access}"`);
        // The operation's own text (what it does, its distinctive errors) comes before the access rule.
        if (description.length - access.length < 20) problems.push(`${method} ${path}: no description of its own`);
      }
    }
    expect(problems).toEqual([]);
    expect(ours.paths['/leads'].post['x-permissions']).toEqual(['writeLeads']);
  });

  it('documents the statuses and headers every operation can answer', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(ours.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
        const responses = op.responses as Record<string, { content?: unknown; headers?: Record<string, unknown> }>;
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        const wanted = ['500', '503', ...(isPublic ? [] : ['401', '429']), ...('requestBody' in op ? ['400', '413', '415'] : [])];
        for (const status of wanted) if (!responses[status]) problems.push(`${method} ${path}: no ${status}`);
        for (const [status, response] of Object.entries(responses)) {
          if (!response.headers?.['x-request-id']) problems.push(`${method} ${path} ${status}: no x-request-id`);
          // /health answers 503 with its own report of what is down.
          if (Number(status) >= 400 && !(path === '/health' && status === '503')) {
            const content = response.content as Record<string, { schema?: unknown; examples?: Record<string, { value?: unknown }> }>;
            if (
              Object.keys(content ?? {}).join() !== 'application/json' ||
              JSON.stringify(content['application/json'].schema) !== ERROR_BODY
            )
              problems.push(`${method} ${path} ${status}: not the Error body`);
            const examples = Object.values(content?.['application/json']?.examples ?? {});
            if (!examples.length) problems.push(`${method} ${path} ${status}: no example`);
            // Not the schema's own example: that is one 400's message, not this status's body.
            if (status !== '400' && examples.some((e) => JSON.stringify(e.value).includes('team ID is required')))
              problems.push(`${method} ${path} ${status}: the 400 example`);
          }
          if (status.startsWith('2') && !isPublic && !response.headers?.['RateLimit-Remaining'])
            problems.push(`${method} ${path} ${status}: no RateLimit-*`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect((ours.paths['/leads'].post.responses as Record<string, unknown>)['429']).toMatchObject({
      headers: { 'Retry-After': { $ref: '#/components/headers/Retry-After' } },
    });
  });
});
