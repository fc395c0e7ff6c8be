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
 * Our document must contain the contract (test/fixtures/post-leads.openapi.yaml) and may add to it. The additions
 * allowed here are deliberate: `nullable: true` on Lead properties the contract does not require
 * (unset fields are answered as null), Lead's `assignment` (§7), Error's `message`/`details`, the
 * bearer format and description, and the Error body on 401/500. POST /leads's description starts
 * with the contract's and goes on with its errors and permission, and its body and responses carry
 * examples beside the contract's schemas, so those are compared as "starts with" and "contains".
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

  const pick = (o: Record<string, unknown>, allowNullable: boolean) =>
    Object.fromEntries(COMPARED.filter((k) => k in o && !(allowNullable && k === 'nullable' && o[k] === true)).map((k) => [k, o[k]]));

  function expectSchemaMatches(name: string, opts: { extraProperties?: string[]; nullableAllowed?: boolean } = {}) {
    const theirs = contract.components.schemas[name];
    const mine = ours.components.schemas[name];
    expect(mine).toBeDefined();
    expect(mine.type).toBe(theirs.type);
    expect(mine.description).toBe(theirs.description);
    expect([...(mine.required ?? [])].sort()).toEqual([...(theirs.required ?? [])].sort());
    // Same properties, in the same order, nothing missing, nothing unexpected.
    expect(Object.keys(mine.properties ?? {})).toEqual([...Object.keys(theirs.properties ?? {}), ...(opts.extraProperties ?? [])]);
    for (const [prop, spec] of Object.entries(theirs.properties ?? {})) {
      const required = (theirs.required ?? []).includes(prop);
      const allowNullable = !!opts.nullableAllowed && !required && !spec.nullable;
      expect({ prop, ...pick(mine.properties![prop], allowNullable) }).toEqual({ prop, ...pick(spec, false) });
    }
  }

  it('has the contract’s LeadInput', () => expectSchemaMatches('LeadInput'));

  it('has the contract’s Lead (optional properties may be nullable: unset fields are null)', () => {
    // `assignment` is the wire's addition (contract §7: POST /leads answers it).
    expectSchemaMatches('Lead', { nullableAllowed: true, extraProperties: ['assignment'] });
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
    // The contract's parameters, in its order; ours adds the Idempotency-Key header after them.
    expect((mine.parameters as Record<string, unknown>[]).map(normalize)).toEqual([
      ...(theirs.parameters as Record<string, unknown>[]).map(normalize),
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
    // Every response of the contract; ours adds the two answers of Idempotency-Key and the statuses
    // every write can answer (a body too large or in another charset, the rate limit, the database down).
    expect(Object.keys(responses).sort()).toEqual([...Object.keys(expected), '409', '413', '415', '422', '429', '503'].sort());
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
