import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ApiRequest } from '../../auth/principal';
import { unsupportedCharset, unsupportedCoding } from '../body/json-body-gate';
import { pathOf } from '../http/path-of';
import { ErrorBody } from '../errors/api-error';
import { unexpectedErrorAnswer } from '../errors/unexpected-error';
import { FAILED_REQUEST_SINK, FailedRequestSink } from './failed-request-sink';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error of reading a request body, as body-parser and raw-body report it (http-errors, 4xx). */
interface BodyReadError {
  status: number;
  /** body-parser's and raw-body's own errors: `entity.parse.failed`, `charset.unsupported`, … */
  type?: string;
  charset?: unknown;
  encoding?: unknown;
}

function isBodyReadError(e: unknown): e is BodyReadError {
  if (e === null || typeof e !== 'object') return false;
  const { status, type, code, expose } = e as { status?: unknown; type?: unknown; code?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) return false;
  // zlib's errors (code Z_DATA_ERROR, Z_BUF_ERROR, …) come through raw-body without a type.
  return typeof type === 'string' || (type === undefined && typeof code === 'string' && code.startsWith('Z_'));
}

/** Fastify's own refusal of a request it cannot read (`FST_ERR_CTP_*`, …), always a 4xx. */
function isFastifyClientError(e: unknown): e is { statusCode: number; code: string } {
  if (e === null || typeof e !== 'object') return false;
  const { statusCode, code } = e as { statusCode?: unknown; code?: unknown };
  return typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

/**
 * The one place errors become responses: `{error, message?, details?}` for every 4xx/5xx, database
 * errors mapped (unique → 409, unreachable → 503), unknown errors → 500 with an id that is logged
 * with the stack, never sent. It also reports every failed request, once, to the failed-request sink
 * (the audit log), including those that guards and pipes rejected before any interceptor ran.
 */
@Catch()
@Injectable()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Inject(FAILED_REQUEST_SINK) private readonly failures: FailedRequestSink) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<ApiRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { status, body } = this.toResponse(exception, req);
    this.recordFailure(req, status, body);
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    void reply.status(status).send(body);
  }

  toResponse(exception: unknown, req: ApiRequest): { status: number; body: ErrorBody } {
    if (exception instanceof HttpException) {
      // Nest hands Fastify's errors (hooks, body parsing) to the filters wrapped, the original as cause.
      const cause = exception.cause;
      if (isBodyReadError(cause) || isFastifyClientError(cause)) return this.toResponse(cause, req);
      const status = exception.getStatus();
      return { status, body: this.httpBody(status, exception.getResponse()) };
    }
    if (isBodyReadError(exception)) return this.bodyParserError(exception, req);
    if (isFastifyClientError(exception)) {
      const status = exception.statusCode;
      return { status, body: { error: STATUS_TEXT[status] ?? 'Bad Request', message: 'The request could not be read' } };
    }
    return unexpectedErrorAnswer(exception, this.logger, `${req.method} ${pathOf(req)} (request ${req.id})`);
  }

  private bodyParserError(err: BodyReadError, req: ApiRequest): { status: number; body: ErrorBody } {
    if (err.type === undefined) {
      // An inflate error: the body is not the gzip or deflate data its Content-Encoding announced.
      const coding = String(req.headers['content-encoding'] ?? '').toLowerCase();
      return { status: HttpStatus.BAD_REQUEST, body: { error: 'Malformed body', message: `The request body is not valid ${coding} data` } };
    }
    switch (err.type) {
      case 'entity.too.large':
        return {
          status: HttpStatus.PAYLOAD_TOO_LARGE,
          body: { error: 'Payload Too Large', message: 'The request body must not exceed 100 KB' },
        };
      case 'entity.parse.failed':
        return { status: HttpStatus.BAD_REQUEST, body: { error: 'Malformed JSON', message: 'The request body is not valid JSON' } };
      // jsonBodyGate refuses these first; the parser's own refusals answer the same.
      case 'encoding.unsupported':
        return this.toResponse(unsupportedCoding(String(err.encoding ?? '')), req);
      case 'charset.unsupported':
        return this.toResponse(unsupportedCharset(String(err.charset ?? '')), req);
      default: {
        return {
          status: err.status,
          body: { error: STATUS_TEXT[err.status] ?? 'Bad Request', message: 'The request body could not be read' },
        };
      }
    }
  }

  private httpBody(status: number, response: string | object): ErrorBody {
    if (typeof response === 'object' && response !== null && typeof (response as ErrorBody).error === 'string') {
      const r = response as ErrorBody & { statusCode?: number };
      // Nest's built-in exceptions answer {statusCode, message, error}: keep error, make message a string.
      if ('statusCode' in r) {
        const msg = (r as { message?: unknown }).message;
        const body: ErrorBody = { error: r.error };
        if (msg !== undefined && msg !== r.error) body.message = Array.isArray(msg) ? msg.join('; ') : String(msg);
        return body;
      }
      const body: ErrorBody = { error: r.error };
      if (r.message !== undefined) body.message = r.message;
      if (r.details !== undefined) body.details = r.details;
      return body;
    }
    const text = STATUS_TEXT[status] ?? 'Error';
    if (typeof response === 'string') return response === text ? { error: text } : { error: text, message: response };
    const msg = (response as { message?: unknown })?.message;
    return msg === undefined ? { error: text } : { error: text, message: Array.isArray(msg) ? msg.join('; ') : String(msg) };
  }

  private recordFailure(req: ApiRequest, status: number, body: ErrorBody): void {
    if (req.audit?.recorded) return;
    req.audit = { ...(req.audit ?? {}), recorded: true };
    this.failures.record(req, status, body);
  }
}
