import type { NextFunction, Response } from 'express';
import { json } from 'express';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { ApiRequest } from './auth/principal';
import { jsonBodyGate } from './common/body/json-body-gate';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { securityHeaders } from './common/http/security-headers';
import { requestLog } from './common/logging/request-log';
import { AppConfig } from './config/configuration';
import { buildOpenApiDocument } from './openapi';
import { APP_VERSION } from './version';

export const BODY_LIMIT = '100kb';

/**
 * The setup that is not dependency injection, shared by main.ts and the e2e tests so both run the
 * same application: request ids and request lines, security headers, body limit and JSON errors,
 * proxy trust, and the OpenAPI document at /docs.
 * Global guards, pipe, filter and interceptor are APP_* providers of AppModule.
 */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // No ETag: conditional GETs are not part of the contract, and computing one hashes every response body.
  app.set('etag', false);
  const filter = app.get(AllExceptionsFilter);
  app.use(requestLog(config.logLevel));
  app.use(securityHeaders('/docs'));
  app.use(jsonBodyGate());
  app.use(json({ limit: BODY_LIMIT }));
  // Body-parser errors (malformed JSON, 413) happen before Nest's pipeline: answer them in the same shape.
  app.use((err: unknown, req: ApiRequest, res: Response, next: NextFunction) => {
    if (!err) return next();
    filter.respond(err, req, res);
  });
  // Built on the first request for /docs or /docs-json, not at start-up (it walks every route).
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, APP_VERSION), { jsonDocumentUrl: 'docs-json', raw: ['json'] });
}
