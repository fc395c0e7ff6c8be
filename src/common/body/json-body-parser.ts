import type { IncomingMessage } from 'node:http';
import { json } from 'body-parser';
import type { FastifyInstance } from 'fastify';
import { jsonBodyGate } from './json-body-gate';

const BODY_LIMIT = '100kb';

/**
 * Request bodies: JSON only, read by body-parser (its limits, inflation of gzip and deflate, strict
 * JSON, and the errors the exception filter answers), after `jsonBodyGate` has refused what it
 * would read wrongly. Other media types are not read: the body stays undefined and validation
 * answers for it, so a wrong Content-Type gets the same 400 as a missing body.
 */
export function registerJsonBody(fastify: FastifyInstance): void {
  const parse = json({ limit: BODY_LIMIT });
  fastify.addHook('onRequest', jsonBodyGate());
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', (req, _payload, done) => {
    const raw = req.raw as IncomingMessage & { body?: unknown };
    // body-parser reads Node's request stream itself, which is the payload Fastify would pass.
    parse(raw as never, undefined as never, (err?: unknown) => done((err as Error | undefined) ?? null, raw.body));
  });
  fastify.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
}
