import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import type { MainFlowInput, MainFlowReport } from './client/flow-types';
import { Fixtures } from './utils/fixtures';
import { IdentityFixtures } from './utils/identity-fixtures';
import { conformanceProblems, OpenApiDoc, responseSchema } from './utils/openapi-conformance';
import { createTestApp, TestApp } from './utils/test-app';

const CLIENT_DIR = join(__dirname, 'client');
const GENERATED_DIR = join(CLIENT_DIR, 'generated');
const PROGRAM = join(CLIENT_DIR, 'main-flow.ts');

/** Constructs that would let the program compile against a document that says less than the server sends. */
function forbiddenConstructs(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const where = (node: ts.Node) => `line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
  const visit = (node: ts.Node) => {
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) found.push(`cast at ${where(node)}`);
    if (ts.isNonNullExpression(node)) found.push(`non-null assertion at ${where(node)}`);
    if (node.kind === ts.SyntaxKind.AnyKeyword) found.push(`any at ${where(node)}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (/@ts-(ignore|expect-error|nocheck)/.test(source.text)) found.push('a @ts- directive');
  return found;
}

/** `tsc --strict --noEmit` on the program (and what it imports, the generated types included). */
function typeCheck(): string[] {
  const program = ts.createProgram([PROGRAM], {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    // The libraries' own declarations are not under test; the program's use of them is.
    skipLibCheck: true,
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName.slice(CLIENT_DIR.length + 1)}:${line + 1} ${text}`;
  });
  const source = program.getSourceFile(PROGRAM);
  return source ? [...problems, ...forbiddenConstructs(source)] : [...problems, 'main-flow.ts was not read'];
}

/**
 * A client generated from the running app's /docs-json must compile and work: openapi-typescript makes
 * the types (test/client/generated/, not committed), test/client/main-flow.ts is type-checked with
 * --strict against them, then runs the main flow with openapi-fetch against this instance over HTTP,
 * and every answer is checked against the document (each property sent is declared, required ones
 * are sent, null only where nullable).
 * The document is the same on both databases; the flow runs on each, since it exercises the server too.
 */
describe('a client generated from /docs-json', () => {
  let t: TestApp;
  let input: MainFlowInput;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const f = new Fixtures(t);
    const admin = await new IdentityFixtures(t, f).userWithPassword({ email: `admin-${Date.now()}@example.com` });
    const account = await f.account();
    await f.member(account.id, admin.user, 'admin', { primary: true });
    input = { baseUrl: `http://127.0.0.1:${port}`, email: admin.user.email, password: admin.password };
  });
  afterAll(async () => {
    await t.close();
  });

  it('detects the constructs the program must not use', () => {
    const bad = ts.createSourceFile('bad.ts', 'const a = (x as any)!; // @ts-ignore', ts.ScriptTarget.ES2023, true);
    expect(forbiddenConstructs(bad)).toEqual(['non-null assertion at line 1', 'cast at line 1', 'any at line 1', 'a @ts- directive']);
  });

  it('reads answers strictly against a schema', () => {
    const doc: OpenApiDoc = {
      paths: {},
      components: {
        schemas: {
          T: {
            type: 'object',
            required: ['id', 'name'],
            properties: { id: { type: 'integer' }, name: { type: 'string' }, kind: { type: 'string', enum: ['a'] } },
          },
        },
      },
    };
    expect(conformanceProblems(doc, { $ref: '#/components/schemas/T' }, { id: 1.5, name: null, kind: 'b', extra: true })).toEqual([
      '$.id: 1.5 is not an integer',
      '$.name: null, but the schema is not nullable',
      '$.kind: "b" is not one of the enum',
      '$.extra: sent, not in the schema',
    ]);
    expect(conformanceProblems(doc, { $ref: '#/components/schemas/T' }, { name: 'x' })).toEqual(['$.id: required, not sent']);
  });

  it('generates, type-checks strictly and runs the main flow', async () => {
    // Through supertest's own connection: a keep-alive socket of the global fetch pool would sit idle
    // through the type-check below, be closed by the server, and fail the flow's first request.
    const res = await t.http().get('/docs-json').expect(200);
    mkdirSync(GENERATED_DIR, { recursive: true });
    const documentPath = join(GENERATED_DIR, 'openapi.json');
    writeFileSync(documentPath, res.text);
    await promisify(execFile)(process.execPath, [
      join(CLIENT_DIR, 'generate-schema.cjs'),
      documentPath,
      join(GENERATED_DIR, 'schema.d.ts'),
    ]);

    expect(typeCheck()).toEqual([]);

    // Loaded only now: it needs nothing generated at run time, but keeping it out of the static
    // imports keeps it out of the project's `tsc` run, where the generated types may not exist yet.
    const flow: { runMainFlow: (i: MainFlowInput) => Promise<MainFlowReport> } = await import(PROGRAM);
    // Every answer of the flow, checked below against the document as a strict reader would.
    const answers: { method: string; url: string; status: number; body: unknown }[] = [];
    const recordingFetch = async (request: Request) => {
      const response = await fetch(request);
      const text = await response.clone().text();
      answers.push({ method: request.method, url: request.url, status: response.status, body: text ? JSON.parse(text) : undefined });
      return response;
    };
    const report = await flow.runMainFlow({ ...input, fetch: recordingFetch });
    expect(report).toMatchObject({ assignedTo: report.repEmail, listedLeadIds: [report.leadId], notesAfterPatch: 'Called back' });
    expect(report.unteamedLeadIds).not.toContain(report.leadId);
    expect(report.auditEvents).toEqual(expect.arrayContaining(['lead_created', 'lead_updated']));
    expect(report.keySessionRoles).toEqual(['apiKey']);

    const doc: OpenApiDoc = res.body;
    const problems = answers.flatMap(({ method, url, status, body }) => {
      const schema = responseSchema(doc, method, new URL(url).pathname, status);
      if (!schema) return [`${method} ${url} ${status}: no schema in the document`];
      return conformanceProblems(doc, schema, body, `${method} ${new URL(url).pathname} ${status}`);
    });
    expect(problems).toEqual([]);
    expect(answers.length).toBeGreaterThanOrEqual(14);
  });
});
