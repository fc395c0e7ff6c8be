import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import pinoHttp, { Options } from 'pino-http';
import request from 'supertest';
import type { AppConfig } from '../../config/configuration';
import { loggerOptions } from '../../config/logger-options';
import { requestIdOf, requestLog } from './request-log';

/** An app with the middleware, whose root logger (built as in production) writes into `lines`. */
const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function appAt(level: string) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- log records are free-form
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const options = loggerOptions({ isProduction: true, nodeEnv: 'production', logLevel: level } as AppConfig).pinoHttp as Options;
  (PinoLogger as unknown as { root: unknown }).root = pinoHttp(options, sink).logger;
  const fastify = Fastify({ genReqId: requestIdOf, requestIdHeader: false });
  fastify.addHook('onRequest', requestLog(level));
  fastify.get('/health', async () => ({ status: 'ok' }));
  fastify.get('/ok', async () => ({ ok: true }));
  fastify.get('/missing', async (_req, reply) => reply.status(404).send({ error: 'Not Found' }));
  fastify.get('/broken', async (_req, reply) => reply.status(500).send({ error: 'Internal Server Error' }));
  fastify.get('/session', async (_req, reply) => reply.header('set-cookie', 'sid=cookie-value').send({ ok: true }));
  apps.push(fastify);
  await fastify.ready();
  return { app: fastify.server, lines };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('requestLog', () => {
  it('answers a well-formed x-request-id as sent, and a new UUID for a missing or malformed one', async () => {
    const { app } = await appAt('warn');
    const sent = await request(app).get('/ok').set('x-request-id', 'abc-123.X_y').expect(200);
    expect(sent.headers['x-request-id']).toBe('abc-123.X_y');
    const missing = await request(app).get('/ok').expect(200);
    const malformed = await request(app).get('/ok').set('x-request-id', 'no spaces, please').expect(200);
    for (const res of [missing, malformed]) {
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(missing.headers['x-request-id']).not.toBe(malformed.headers['x-request-id']);
  });

  it('writes one line per request at info, leveled by status, with secrets redacted and none for /health', async () => {
    const { app, lines } = await appAt('info');
    await request(app).get('/ok').set('x-request-id', 'r1').set('authorization', 'Bearer secret-token').expect(200);
    await request(app).get('/missing').set('x-request-id', 'r2').set('x-api-secret', 'shh').expect(404);
    await request(app).get('/broken').set('x-request-id', 'r3').expect(500);
    await request(app).get('/health').expect(200);
    await settle();
    expect(lines.map((l) => [l.level, l.msg, l.req.id, l.req.method, l.req.url, l.res.statusCode])).toEqual([
      [30, 'request completed', 'r1', 'GET', '/ok', 200],
      [40, 'request completed', 'r2', 'GET', '/missing', 404],
      [50, 'request completed', 'r3', 'GET', '/broken', 500],
    ]);
    expect(lines[0].req.headers.authorization).toBe('[REDACTED]');
    expect(lines[1].req.headers['x-api-secret']).toBe('[REDACTED]');
    expect(typeof lines[0].responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toMatch(/secret-token|shh/);
  });

  it('masks secrets named by the audit rule in the line: query values in the url, header values by name', async () => {
    const { app, lines } = await appAt('info');
    await request(app)
      .get('/session?token=query-token&page=2&Password=query-password')
      .set({
        'x-auth-token': 'header-auth',
        'x-access-token': 'header-access',
        'x-csrf-token': 'header-csrf',
        cookie: 'sid=1',
        'x-author': 'Jane',
      })
      .expect(200);
    await settle();
    expect(lines).toHaveLength(1);
    const [{ req, res }] = lines;
    expect(req.url).toBe('/session?token=[REDACTED]&page=2&Password=[REDACTED]');
    expect(req.headers).toMatchObject({
      'x-auth-token': '[REDACTED]',
      'x-access-token': '[REDACTED]',
      'x-csrf-token': '[REDACTED]',
      cookie: '[REDACTED]',
      'x-author': 'Jane',
    });
    expect(res).toMatchObject({
      statusCode: 200,
      headers: { 'set-cookie': '[REDACTED]', 'content-type': expect.stringMatching(/^application\/json/) },
    });
    expect(JSON.stringify(lines)).not.toMatch(/query-|header-|cookie-value/);
  });

  it('writes no request lines above info', async () => {
    const { app, lines } = await appAt('warn');
    await request(app).get('/missing').expect(404);
    await request(app).get('/broken').expect(500);
    await settle();
    expect(lines).toEqual([]);
  });
});
