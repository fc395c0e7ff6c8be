import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorExample, fieldError, X_ERROR_EXAMPLES, X_ID_EXAMPLE } from './openapi-examples';

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
  {
    name: 'Webhooks',
    description: 'Signed deliveries of lead events to your URLs, at least once, with retries, a deliveries log and redelivery.',
  },
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

export const BEARER_DESCRIPTION =
  'A session token. Get one from POST /auth/login (Auth, "Try it out") with `{"email", "password"}` or ' +
  '`{"apiKey", "apiSecret"}`, copy `token` from the answer and paste it here (without "Bearer "). Account-scoped ' +
  'operations also need the `x-account-id` header: an `accountId` from the login answer (`primaryAccount` or ' +
  '`accounts`). On a fresh development start with demo data, log in as admin@demo.local / demo-password: the demo ' +
  'account is the x-account-id example, 2311.';

/** The resource a 404 names, by tag (`ApiError.notFound(...)` in the services). */
const NOT_FOUND_BY_TAG: Record<string, string> = {
  Leads: 'Lead',
  Teams: 'Team',
  'Lead sources': 'Lead source',
  'Lead rotations': 'Lead rotation',
  Users: 'User',
  'API keys': 'API key',
  Accounts: 'Account',
  Webhooks: 'Webhook',
};

interface OperationFacts {
  isPublic: boolean;
  noAccount: boolean;
  method: string;
  permissions: string[];
  hasIdParam: boolean;
  tag: string;
  operationId: string;
}

/** The sentence every description ends with: who may call the operation. */
function accessSentence(f: OperationFacts): string {
  if (f.isPublic) return 'Public: needs no token and no x-account-id.';
  if (f.permissions.length === 0) return 'Needs a bearer token only: no permission and no x-account-id.';
  const names = f.permissions.map((p) => `\`${p}\``).join(' and ');
  return `Requires the ${names} permission${f.permissions.length > 1 ? 's' : ''} in the x-account-id account.`;
}

/**
 * The error bodies the server answers for the statuses operations share, as the guards, pipes,
 * interceptors and the exception filter word them. An operation's own examples come before these.
 */
function sharedErrorExamples(status: number, f: OperationFacts): Record<string, ErrorExample> {
  const login = f.operationId === 'Auth_login';
  switch (status) {
    case 400:
      return {
        ...(f.hasIdParam
          ? { invalidId: { summary: 'The id is not a positive integer', value: fieldError('id', 'id must be a positive integer') } }
          : {}),
        ...(f.isPublic || f.noAccount
          ? {}
          : { noAccountHeader: { summary: 'No x-account-id header', value: { error: 'x-account-id header is required' } } }),
        ...(f.method === 'post' && !f.isPublic
          ? {
              invalidIdempotencyKey: {
                summary: 'A malformed Idempotency-Key',
                value: {
                  error: 'Invalid Idempotency-Key',
                  message: 'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces',
                },
              },
            }
          : {}),
      };
    case 401:
      return login
        ? {}
        : {
            noToken: {
              summary: 'No bearer token',
              value: { error: 'Unauthorized', message: 'A bearer token is required (Authorization: Bearer <token>)' },
            },
            invalidToken: {
              summary: 'An expired or revoked token',
              value: { error: 'Unauthorized', message: 'The bearer token is invalid or no longer valid' },
            },
          };
    case 403:
      return {
        ...(f.permissions.length
          ? {
              missingPermission: {
                summary: 'The caller lacks the permission',
                value: { error: 'Forbidden', message: `Missing permission: ${f.permissions.join(', ')}` },
              },
            }
          : {}),
        ...(f.isPublic || f.noAccount
          ? {}
          : {
              notAMember: {
                summary: 'The caller is no active member of the account',
                value: { error: 'Forbidden', message: 'You have no access to account 9999' },
              },
            }),
      };
    case 404: {
      const what = NOT_FOUND_BY_TAG[f.tag];
      return what
        ? { notFound: { summary: `No such ${what.toLowerCase()}`, value: { error: 'Not Found', message: `${what} not found` } } }
        : {};
    }
    case 409:
      return f.method === 'post' && !f.isPublic
        ? {
            idempotencyKeyInUse: {
              summary: 'The first request with this Idempotency-Key is still running',
              value: { error: 'Conflict', message: 'A request with this Idempotency-Key is still being processed' },
            },
          }
        : {};
    case 413:
      return {
        tooLarge: {
          summary: 'A body over 100 KB',
          value: { error: 'Payload Too Large', message: 'The request body must not exceed 100 KB' },
        },
      };
    case 415:
      return {
        charset: {
          summary: 'A charset other than UTF-8',
          value: { error: 'Unsupported Media Type', message: 'The request body must be UTF-8 JSON; charset "utf-16" is not supported' },
        },
      };
    case 422:
      return {
        idempotencyKeyReused: {
          summary: 'The Idempotency-Key was used with a different request',
          value: { error: 'Unprocessable Entity', message: 'This Idempotency-Key was already used with a different request' },
        },
      };
    case 429:
      return login
        ? {
            tooManyLogins: {
              summary: 'Too many login attempts from this address or for this identity',
              value: { error: 'Too Many Requests', message: 'Too many login attempts; retry in 42 s' },
            },
          }
        : {
            rateLimited: {
              summary: 'The per-minute budget of the user or API key is spent',
              value: { error: 'Too Many Requests', message: 'Rate limit of 6000 requests per minute exceeded; retry in 42 s' },
            },
          };
    case 500:
      return {
        unexpected: {
          summary: 'An unexpected error (its id is in the server log with the stack)',
          value: {
            error: 'Internal Server Error',
            message: 'An unexpected error occurred (error id 0b5e7c3a-6f1d-4c59-9a51-2f8e1d7c4b90)',
          },
        },
      };
    case 503:
      return {
        databaseDown: {
          summary: 'The database cannot be reached',
          value: { error: 'Service Unavailable', message: 'The database is unavailable; retry the request later' },
        },
        databaseBusy: {
          summary: 'The database is busy',
          value: { error: 'Service Unavailable', message: 'The database is busy; retry the request' },
        },
      };
    default:
      return {};
  }
}

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
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: BEARER_DESCRIPTION }, 'bearer')
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
      const ownErrorExamples = (op[X_ERROR_EXAMPLES] ?? {}) as Record<string, Record<string, ErrorExample>>;
      const idExample = op[X_ID_EXAMPLE] as number | undefined;
      delete op['x-public'];
      delete op['x-no-account'];
      delete op[X_ERROR_EXAMPLES];
      delete op[X_ID_EXAMPLE];
      const idParam = (op.parameters as { in?: string; name?: string; example?: unknown }[] | undefined)?.find(
        (p) => p.in === 'path' && p.name === 'id',
      );
      if (idParam && idExample !== undefined) idParam.example = idExample;
      const facts: OperationFacts = {
        isPublic,
        noAccount,
        method,
        permissions: (op['x-permissions'] as string[] | undefined) ?? [],
        hasIdParam: !!idParam,
        tag: ((op.tags as string[] | undefined) ?? [])[0] ?? '',
        operationId: String(op.operationId),
      };
      // The access rule is generated from x-permissions, so the text and the guard cannot disagree.
      op.description = [op.description, accessSentence(facts)].filter(Boolean).join(' ');
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
      const badRequestCauses = [
        ...(isPublic || noAccount ? [] : ['the x-account-id header is missing or not an account id']),
        ...(idParam ? ['the id is not a positive integer'] : []),
      ];
      if (badRequestCauses.length) op.responses['400'] ??= { description: `Bad Request - ${badRequestCauses.join(', or ')}` };
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
        op.responses as Record<string, { headers?: Record<string, unknown>; content?: Record<string, Record<string, unknown>> }>,
      )) {
        const code = Number(status);
        // Every error is answered with the Error body, including those declared without one.
        if (code >= 400 && !response.content) response.content = { 'application/json': { schema: ERROR_REF } };
        const media = response.content?.['application/json'];
        if (code >= 400 && media && (media.schema as { $ref?: string } | undefined)?.$ref === ERROR_REF.$ref) {
          // One example per cause, so each status shows what the server really answers for it
          // (not the Error schema's property example, which is one 400's message).
          const examples = { ...(ownErrorExamples[status] ?? {}), ...sharedErrorExamples(code, facts) };
          if (Object.keys(examples).length) response.content = { 'application/json': { ...media, examples } };
        }
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
