import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Document, Spectral } from '@stoplight/spectral-core';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { createTestApp, TestApp } from './utils/test-app';

/**
 * Redocly's `recommended` warnings the document keeps on purpose, by rule and location, each with
 * its reason. Anything else Redocly reports fails the test.
 */
const REDOCLY_ALLOWED_WARNINGS: { rule: string; pointer: string; reason: string }[] = [
  {
    rule: 'operation-4xx-response',
    pointer: '#/paths/~1health/get/responses',
    reason: 'GET /health takes no input and no credentials, so no 4xx can answer it: it is 200 or 503',
  },
];

/**
 * Redocly's openapi-core is an ES module, which Jest's CommonJS runtime does not load; it runs in a
 * plain Node process (which imports it natively) that reads the document on stdin and prints the
 * problems as JSON.
 */
const REDOCLY_SCRIPT = `
import { createConfig, lintFromString } from '@redocly/openapi-core';
let source = '';
for await (const chunk of process.stdin) source += chunk;
const config = await createConfig({ extends: ['recommended'] });
const problems = await lintFromString({ source, absoluteRef: '/docs-json', config });
process.stdout.write(JSON.stringify(problems.map((p) => ({ rule: p.ruleId, severity: p.severity, message: p.message, pointer: p.location[0]?.pointer }))));
`;

type RedoclyProblem = { rule: string; severity: 'error' | 'warn'; message: string; pointer: string };

async function redoclyLint(json: string): Promise<RedoclyProblem[]> {
  const run = promisify(execFile)(process.execPath, ['--input-type=module', '-e', REDOCLY_SCRIPT], {
    cwd: __dirname,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  run.child.stdin!.end(json);
  return JSON.parse((await run).stdout) as RedoclyProblem[];
}

/** The served document (/docs-json) against the two linters' recommended rule sets. */
describe('OpenAPI document lint', () => {
  let t: TestApp;
  let json: string;
  const spectral = new Spectral();
  spectral.setRuleset({ extends: [[oas as never, 'recommended']] });

  beforeAll(async () => {
    t = await createTestApp();
    json = (await t.http().get('/docs-json').expect(200)).text;
  });
  afterAll(async () => {
    await t.close();
  });

  it('passes Spectral spectral:oas with no error and no warning', async () => {
    const results = await spectral.run(new Document(json, Json, '/docs-json'));
    // Severity 0 is an error and 1 a warning; 2 (information) and 3 (hint) are not findings here.
    const findings = results.filter((r) => r.severity <= 1).map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`);
    expect(findings).toEqual([]);
  });

  it('passes Redocly recommended with no error, and only the listed warnings', async () => {
    const problems = await redoclyLint(json);
    const unexpected = problems
      .filter((p) => p.severity === 'error' || !REDOCLY_ALLOWED_WARNINGS.some((a) => a.rule === p.rule && a.pointer === p.pointer))
      .map((p) => `${p.severity} ${p.rule} at ${p.pointer}: ${p.message}`);
    expect(unexpected).toEqual([]);
    // An allowed warning that no longer occurs is dropped from the list (and the README).
    const stale = REDOCLY_ALLOWED_WARNINGS.filter((a) => !problems.some((p) => p.rule === a.rule && p.pointer === a.pointer));
    expect(stale).toEqual([]);
  });

  it('would fail on a broken document (the linters are really run)', async () => {
    // A small document, so the check costs little: two operations with one operationId.
    const op = { operationId: 'same', summary: 'x', description: 'x', tags: ['x'], responses: { '200': { description: 'ok' } } };
    const broken = JSON.stringify({
      openapi: '3.0.3',
      info: { title: 'x', version: '1', description: 'x', contact: {} },
      tags: [{ name: 'x', description: 'x' }],
      servers: [{ url: '/' }],
      paths: { '/a': { get: op, post: op } },
    });
    const codes = (await spectral.run(new Document(broken, Json, '/broken'))).map((r) => r.code);
    expect(codes).toContain('operation-operationId-unique');
    const rules = (await redoclyLint(broken)).map((p) => p.rule);
    expect(rules).toContain('operation-operationId-unique');
  });
});
