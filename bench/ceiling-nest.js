'use strict';
// The framework's ceiling: a NestJS application on the same platform as the service (Express, the
// same packages and versions) that answers each request of the scenarios with no work at all: no
// database, no authentication, no validation, no audit, no logging. What it serves per second is the
// most that ANY NestJS + Express service can serve on this machine, so `ceiling ÷ floor` bounds the
// ratio such a service can reach, whatever it does about its SQL. Env: PORT, CEILING_BODY (the JSON
// to answer with: a real response of the service, so the bodies have the service's size).
//
//   GET /leads/{id}  200 with CEILING_BODY        POST /leads  201 with CEILING_BODY
//   GET /leads       200 with CEILING_BODY        GET /health  200 {"status":"ok"}

require('reflect-metadata');
const { Body, Controller, Get, HttpCode, Module, Param, Post } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

const BODY = JSON.parse(process.env.CEILING_BODY || '{}');

// Decorators applied as functions (this file is plain JavaScript, run without a build step).
const method = (cls, name, ...decorators) => {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name);
  for (const d of decorators) d(cls.prototype, name, descriptor);
};
const param = (cls, name, index, decorator) => decorator(cls.prototype, name, index);

class CeilingController {
  health() {
    return { status: 'ok' };
  }
  list() {
    return BODY;
  }
  get(id) {
    return id ? BODY : null;
  }
  create(body) {
    return body ? BODY : null;
  }
}
method(CeilingController, 'health', Get('health'));
method(CeilingController, 'list', Get('leads'));
method(CeilingController, 'get', Get('leads/:id'));
param(CeilingController, 'get', 0, Param('id'));
method(CeilingController, 'create', Post('leads'), HttpCode(201));
param(CeilingController, 'create', 0, Body());
Reflect.defineMetadata('design:paramtypes', [String], CeilingController.prototype, 'get');
Reflect.defineMetadata('design:paramtypes', [Object], CeilingController.prototype, 'create');
Controller()(CeilingController);

class CeilingModule {}
Module({ controllers: [CeilingController] })(CeilingModule);

async function main() {
  const app = await NestFactory.create(CeilingModule, { logger: false });
  app.getHttpAdapter().getInstance().set('etag', false);
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  const stop = () => app.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
