import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

type Operation = Record<string, unknown> & {
  parameters?: unknown[];
  responses?: Record<string, unknown>;
  security?: unknown[];
};

export const X_ACCOUNT_ID_PARAMETER = {
  in: 'header',
  name: 'x-account-id',
  schema: { type: 'string' },
  description: 'Account ID for the request',
  required: true,
  example: '2311',
};

export const IDEMPOTENCY_KEY_PARAMETER = {
  in: 'header',
  name: 'Idempotency-Key',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
  required: false,
  description:
    'Makes the request safe to retry: the first successful response is stored with the create and replayed ' +
    'for 24 hours (header `Idempotent-Replayed: true`); the same key with a different request answers 422, ' +
    'while the first is still running 409. Scoped to the account and the caller.',
};

/** Response headers the service sends, by name (reused through `#/components/headers/…`). */
const HEADERS = {
  'x-request-id': {
    description: 'Id of the request (a well-formed incoming `x-request-id`, else a new UUID), also in the log line',
    schema: { type: 'string' },
  },
  'RateLimit-Limit': { description: 'Requests allowed per minute to this user or API key', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current minute', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the current minute ends', schema: { type: 'integer' } },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
  'Idempotent-Replayed': {
    description: '`true` when the response is the stored answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};
const headerRefs = (...names: (keyof typeof HEADERS)[]) => Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]));

/** The document's tags, in the order a reader meets them; every operation carries exactly one. */
export const TAGS = [
  { name: 'Auth', description: 'Log in with a password or an API key, and read the session a token stands for.' },
  { name: 'Leads', description: 'Capture leads, read, update, archive and delete them; each new lead is routed to a rep.' },
  {
    name: 'Lead rotations',
    description: 'Routing: rotations with weights, daily caps and availability, their picks, and previews of an assignment.',
  },
  { name: 'Teams', description: 'Teams of the account and their members; a team decides which rotation routes its leads.' },
  { name: 'Lead sources', description: 'Where leads come from; a team with active sources requires one on each lead.' },
  { name: 'Users', description: "The account's users, their roles, and their availability for routing." },
  { name: 'Accounts', description: "The caller's accounts; admins set an account's name and time zone." },
  { name: 'API keys', description: 'Keys for integrations: each acts in its account with at most its own permissions.' },
  { name: 'Audit log', description: 'Every request the account received, with masked secrets, newest first.' },
  { name: 'Health', description: 'Liveness and readiness of the service and its database.' },
];

/** Reference to the shared error body, for `@Api…Response({ schema: ERROR_REF })`. */
export const ERROR_REF = { $ref: '#/components/schemas/Error' };

export const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string', example: 'team ID is required when teams exist in the account' },
    message: { type: 'string' },
    details: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string' },
          message: { type: 'string' },
          leadId: { type: 'integer', description: 'The existing lead of a `duplicate lead` conflict' },
        },
      },
    },
  },
};

/**
 * Builds the OpenAPI document from the controllers and DTOs (explicit @ApiProperty metadata, no CLI
 * plugin, so tests and production see the same document), then applies the API-wide conventions:
 * bearer security on every non-public operation, the reusable x-account-id header on account-scoped
 * ones, and the shared Error schema with the 401/403/500 responses.
 */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Leads API')
    .setDescription(
      'Multi-tenant lead capture and round-robin assignment. Authenticate with POST /auth/login, then send ' +
        '`Authorization: Bearer <token>` and `x-account-id: <accountId>`.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addServer('/', 'The server this document is served from')
    .build();
  const doc = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  doc.tags = TAGS;
  doc.components ??= {};
  doc.components.parameters = {
    ...(doc.components.parameters ?? {}),
    xAccountIdHeader: X_ACCOUNT_ID_PARAMETER as never,
    idempotencyKeyHeader: IDEMPOTENCY_KEY_PARAMETER as never,
  };
  doc.components.schemas = { Error: ERROR_SCHEMA as never, ...(doc.components.schemas ?? {}) };
  doc.components.headers = HEADERS as never;
  const errorContent = { 'application/json': { schema: ERROR_REF } };

  for (const pathItem of Object.values(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = (pathItem as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const isPublic = op['x-public'] === true;
      const noAccount = op['x-no-account'] === true;
      delete op['x-public'];
      delete op['x-no-account'];
      op.responses ??= {};
      if (isPublic) op.security = [];
      else {
        op.security = [{ bearer: [] }];
        op.responses['401'] ??= { description: 'Unauthorized - User not authenticated', content: errorContent };
        if (!noAccount) {
          op.parameters = [{ $ref: '#/components/parameters/xAccountIdHeader' }, ...(op.parameters ?? [])];
          op.responses['403'] ??= { description: 'Forbidden - User does not have the required permissions', content: errorContent };
        }
        if (method === 'post') {
          op.parameters = [...(op.parameters ?? []), { $ref: '#/components/parameters/idempotencyKeyHeader' }];
          op.responses['409'] ??= { description: 'Conflict - a request with this Idempotency-Key is still running', content: errorContent };
          op.responses['422'] ??= {
            description: 'Unprocessable Entity - this Idempotency-Key was used with a different request',
            content: errorContent,
          };
        }
      }
      const hasBody = 'requestBody' in op;
      if (hasBody) {
        op.responses['400'] ??= { description: 'Bad Request - the body is not valid', content: errorContent };
        op.responses['413'] ??= { description: 'Payload Too Large - the body is over 100 KB', content: errorContent };
        op.responses['415'] ??= {
          description: 'Unsupported Media Type - a charset other than UTF-8, or an unknown Content-Encoding',
          content: errorContent,
        };
      }
      const limited = !isPublic || op.operationId === 'Auth_login';
      if (limited) {
        op.responses['429'] ??= {
          description: 'Too Many Requests - the rate limit is reached',
          headers: headerRefs('Retry-After'),
          content: errorContent,
        };
      }
      op.responses['500'] ??= { description: 'Internal server error', content: errorContent };
      op.responses['503'] ??= { description: 'Service Unavailable - the database cannot be reached', content: errorContent };
      for (const [status, response] of Object.entries(
        op.responses as Record<string, { headers?: Record<string, unknown>; content?: unknown }>,
      )) {
        // Every error is answered with the Error body, including those declared without one.
        if (Number(status) >= 400 && !response.content) response.content = errorContent;
        const headers = status.startsWith('2')
          ? headerRefs(
              'x-request-id',
              ...(isPublic ? [] : (['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const)),
              ...(method === 'post' && !isPublic ? (['Idempotent-Replayed'] as const) : []),
            )
          : headerRefs('x-request-id');
        response.headers = { ...headers, ...(response.headers ?? {}) };
      }
    }
  }
  return doc;
}
