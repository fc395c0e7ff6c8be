import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { registerJsonBody } from './common/body/json-body-parser';
import { securityHeaders } from './common/http/security-headers';
import { requestIdOf, requestLog } from './common/logging/request-log';
import { countRequest } from './common/runtime/serving-load';
import { AppConfig } from './config/configuration';
import { buildOpenApiDocument } from './openapi';
import { APP_VERSION } from './version';

/** A hop count trusts that many proxies in front, nearest first (Fastify would trust none). */
function trustProxyOf(setting: AppConfig['trustProxy']): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

/**
 * The HTTP platform: Fastify, with request ids from `x-request-id` and proxy trust from the
 * configuration, and Express's routing rules (a trailing slash and the case of a path do not
 * matter), which the API was first served under.
 */
export function httpAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    trustProxy: trustProxyOf(config.trustProxy),
    genReqId: requestIdOf,
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false },
  });
}

/**
 * The setup that is not dependency injection, shared by main.ts and the e2e tests so both run the
 * same application: request ids and request lines, security headers, JSON bodies and their errors,
 * and the OpenAPI document at /docs. Call before `init()`.
 * Global guards, pipe, filter and interceptor are APP_* providers of AppModule.
 */
export function configureApp(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', requestLog(config.logLevel));
  fastify.addHook('onRequest', (_req, _reply, done) => {
    countRequest();
    done();
  });
  fastify.addHook('onRequest', securityHeaders('/docs'));
  registerJsonBody(fastify);
  // Built on the first request for /docs or /docs-json, not at start-up (it walks every route).
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, APP_VERSION), { jsonDocumentUrl: 'docs-json', raw: ['json'] });
}
