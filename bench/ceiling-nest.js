'use strict';
// The framework's ceiling: a NestJS application on the same platform as the service (Fastify, the
// same packages and versions) that answers each request of the scenarios with no work at all: no
// database, no authentication, no validation, no audit, no logging. What it serves per second is the
// most that ANY NestJS + Fastify service can serve on this machine, so `ceiling ÷ floor` bounds the
// ratio such a service can reach, whatever it does about its SQL. Env: PORT, CEILING_BODY (the JSON
// to answer with: a real response of the service, so the bodies have the service's size).
//
//   GET /leads/{id}  200 with CEILING_BODY        POST /leads  201 with CEILING_BODY
//   GET /leads       200 with CEILING_BODY        GET /health  200 {"status":"ok"}
//
// With CEILING_FLOOR=pg or sqlite (and the floor's env: DATABASE_URL + POOL_SIZE, or DATABASE_PATH;
// BENCH_ACTOR) it is "NestJS + the floor's SQL": each route calls the floor's own handler
// (bench/baseline-*.js, the same functions, statements and answers) and does nothing else. A service
// that does at least the floor's SQL work per request cannot serve more than this on this stack.

require('reflect-metadata');
const { Body, Controller, Get, Headers, HttpCode, HttpException, Module, Param, Post, Query, Req } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { HttpError, listOptions } = require('./lib/baseline-common');

const BODY = JSON.parse(process.env.CEILING_BODY || '{}');
const FLOOR = { pg: './baseline-pg', sqlite: './baseline-sqlite' }[process.env.CEILING_FLOOR ?? ''];
const floor = FLOOR ? require(FLOOR) : null;

/** The floor's [status, body] (or its HttpError) as Nest's answer (its 2xx status is the route's own). */
const answer = async (call) => {
  let status, body;
  try {
    [status, body] = await call();
  } catch (e) {
    if (e instanceof HttpError) throw new HttpException({ error: e.message }, e.status);
    throw e;
  }
  if (status >= 300) throw new HttpException(body, status);
  return body;
};
const accountOf = (header) => Number(header);

// Decorators applied as functions (this file is plain JavaScript, run without a build step).
const method = (cls, name, ...decorators) => {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name);
  for (const d of decorators) d(cls.prototype, name, descriptor);
};
const param = (cls, name, index, decorator) => decorator(cls.prototype, name, index);

class CeilingController {
  health() {
    return floor ? answer(() => floor.health()) : { status: 'ok' };
  }
  list(account, query) {
    if (!floor) return BODY;
    const get = (name) => (typeof query[name] === 'string' ? query[name] : null);
    return answer(() => floor.listLeads(accountOf(account), listOptions(get)));
  }
  get(id, account) {
    if (!floor) return id ? BODY : null;
    return answer(() => floor.getLead(accountOf(account), Number(id)));
  }
  create(body, account, req) {
    if (!floor) return body ? BODY : null;
    return answer(() => floor.createLead(accountOf(account), body, req));
  }
}
method(CeilingController, 'health', Get('health'));
method(CeilingController, 'list', Get('leads'));
param(CeilingController, 'list', 0, Headers('x-account-id'));
param(CeilingController, 'list', 1, Query());
method(CeilingController, 'get', Get('leads/:id'));
param(CeilingController, 'get', 0, Param('id'));
param(CeilingController, 'get', 1, Headers('x-account-id'));
method(CeilingController, 'create', Post('leads'), HttpCode(201));
param(CeilingController, 'create', 0, Body());
param(CeilingController, 'create', 1, Headers('x-account-id'));
param(CeilingController, 'create', 2, Req());
Reflect.defineMetadata('design:paramtypes', [String, Object], CeilingController.prototype, 'list');
Reflect.defineMetadata('design:paramtypes', [String, String], CeilingController.prototype, 'get');
Reflect.defineMetadata('design:paramtypes', [Object, String, Object], CeilingController.prototype, 'create');
Controller()(CeilingController);

class CeilingModule {}
Module({ controllers: [CeilingController] })(CeilingModule);

async function main() {
  const app = await NestFactory.create(CeilingModule, new FastifyAdapter(), { logger: false });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  const stop = () => app.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
