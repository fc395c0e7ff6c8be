import { ArgumentsHost, BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import type { ApiRequest } from '../../auth/principal';
import { ApiError } from '../errors/api-error';
import { validationFailed } from '../errors/validation-failed';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { FailedRequestSink } from './failed-request-sink';

function setup() {
  const sink: FailedRequestSink = { record: jest.fn() };
  return { filter: new AllExceptionsFilter(sink), record: jest.mocked(sink.record) };
}

function http(req: Partial<ApiRequest> = {}, headersSent = false) {
  const request = { method: 'POST', url: '/teams', id: 'req-1', headers: {}, ...req } as ApiRequest;
  const raw = { headersSent, end: jest.fn() };
  const res = { sent: false, raw, status: jest.fn(), send: jest.fn() };
  res.status.mockReturnValue(res);
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => res }),
  } as unknown as ArgumentsHost;
  return { host, request, res };
}

/** What the client received: the status and the JSON body. */
function answered(res: { status: jest.Mock; send: jest.Mock }) {
  return { status: res.status.mock.calls[0]?.[0] as number, body: res.send.mock.calls[0]?.[0] as unknown };
}

/** An error as body-parser and raw-body raise them (http-errors, exposed to the client). */
const bodyError = (status: number, type: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(type), { status, statusCode: status, expose: true, type, ...extra });

describe('AllExceptionsFilter', () => {
  let logged: { error: jest.SpyInstance; warn: jest.SpyInstance };
  beforeEach(() => {
    logged = {
      error: jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined),
      warn: jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined),
    };
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers an ApiError with its own status and body', () => {
    const { filter } = setup();
    const { host, res } = http();
    filter.catch(ApiError.notFound('Team'), host);
    expect(answered(res)).toEqual({ status: 404, body: { error: 'Not Found', message: 'Team not found' } });
  });

  it("answers Nest's built-in exceptions in the API's shape, without statusCode", () => {
    const { filter } = setup();
    const a = http();
    filter.catch(new NotFoundException('Cannot GET /nowhere'), a.host);
    expect(answered(a.res)).toEqual({ status: 404, body: { error: 'Not Found', message: 'Cannot GET /nowhere' } });
    const b = http();
    filter.catch(new BadRequestException(['a is wrong', 'b is wrong']), b.host);
    expect(answered(b.res)).toEqual({ status: 400, body: { error: 'Bad Request', message: 'a is wrong; b is wrong' } });
  });

  it('keeps the details of a validation failure', () => {
    const { filter } = setup();
    const { host, res } = http();
    const details = [
      { field: 'email', message: 'email must be an email' },
      { field: 'name', message: 'name must be a string' },
    ];
    filter.catch(validationFailed(details), host);
    expect(answered(res)).toEqual({
      status: 400,
      body: { error: 'Validation failed', message: '2 problems were found in the request', details },
    });
  });

  it('answers the body-read errors of body-parser: 413, 415, 400', () => {
    const { filter } = setup();
    const cases: [unknown, number, unknown][] = [
      [bodyError(413, 'entity.too.large'), 413, { error: 'Payload Too Large', message: 'The request body must not exceed 100 KB' }],
      [
        bodyError(415, 'charset.unsupported', { charset: 'latin1' }),
        415,
        { error: 'Unsupported Media Type', message: 'The request body must be UTF-8 JSON; charset "latin1" is not supported' },
      ],
      [bodyError(400, 'entity.parse.failed'), 400, { error: 'Malformed JSON', message: 'The request body is not valid JSON' }],
      [bodyError(400, 'request.aborted'), 400, { error: 'Bad Request', message: 'The request body could not be read' }],
    ];
    for (const [error, status, body] of cases) {
      const { host, res } = http();
      filter.catch(error, host);
      expect(answered(res)).toEqual({ status, body });
    }
  });

  it("answers the errors Nest hands over from Fastify's hooks and parsing by their cause", () => {
    const { filter } = setup();
    // As Nest's FastifyAdapter.mapException wraps them: the original error as the cause.
    const wrap = (e: Error & { statusCode: number }) => new HttpException(e.message, e.statusCode, { cause: e });
    const tooLarge = wrap(bodyError(413, 'entity.too.large'));
    const badLength = wrap(
      Object.assign(new Error('Request body size did not match Content-Length'), {
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
      }),
    );
    const cases: [unknown, number, unknown][] = [
      [tooLarge, 413, { error: 'Payload Too Large', message: 'The request body must not exceed 100 KB' }],
      [badLength, 400, { error: 'Bad Request', message: 'The request could not be read' }],
    ];
    for (const [error, status, body] of cases) {
      const { host, res } = http();
      filter.catch(error, host);
      expect(answered(res)).toEqual({ status, body });
    }
  });

  it('answers 400 for a body that is not the gzip data its Content-Encoding announced', () => {
    const { filter } = setup();
    const { host, res } = http({ headers: { 'content-encoding': 'GZIP' } });
    const zlib = Object.assign(new Error('incorrect header check'), { status: 400, expose: true, code: 'Z_DATA_ERROR' });
    filter.catch(zlib, host);
    expect(answered(res)).toEqual({ status: 400, body: { error: 'Malformed body', message: 'The request body is not valid gzip data' } });
  });

  it('answers 503 without internals when the database is unavailable', () => {
    const { filter } = setup();
    const { host, res } = http();
    filter.catch(Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' }), host);
    expect(answered(res)).toEqual({
      status: 503,
      body: { error: 'Service Unavailable', message: 'The database is unavailable; retry the request later' },
    });
    expect(JSON.stringify(answered(res).body)).not.toContain('10.0.0.7');
    expect(logged.warn).toHaveBeenCalledWith(expect.stringContaining('ECONNREFUSED'));
  });

  it('answers an unknown error with 500 and an error id, logging the stack and sending none of it', () => {
    const { filter } = setup();
    const { host, res } = http({ method: 'GET', url: '/teams' });
    const error = new TypeError("Cannot read properties of undefined (reading 'rows')");
    filter.catch(error, host);
    const { status, body } = answered(res);
    expect(status).toBe(500);
    expect(body).toEqual({
      error: 'Internal Server Error',
      message: expect.stringMatching(/^An unexpected error occurred \(error id [0-9a-f-]{36}\)$/),
    });
    expect(JSON.stringify(body)).not.toMatch(/TypeError|rows|at /);
    const errorId = /error id ([0-9a-f-]{36})/.exec((body as { message: string }).message)![1];
    expect(logged.error).toHaveBeenCalledTimes(1);
    expect(logged.error.mock.calls[0][0]).toContain(errorId);
    expect(logged.error.mock.calls[0][0]).toContain(error.stack);
  });

  it('reports the failed request to the sink once, with the answer sent', () => {
    const { filter, record } = setup();
    const { host, request } = http();
    filter.catch(ApiError.forbidden('You have no access to account 9'), host);
    expect(record).toHaveBeenCalledTimes(1);
    expect(record).toHaveBeenCalledWith(request, 403, { error: 'Forbidden', message: 'You have no access to account 9' });
    // A second error on the same request (e.g. while the answer was being written) is not a second failure.
    filter.catch(new Error('socket hang up'), host);
    expect(record).toHaveBeenCalledTimes(1);
  });

  it('reports nothing for a request whose audit entry was already written', () => {
    const { filter, record } = setup();
    const { host, res } = http({ audit: { recorded: true } });
    filter.catch(ApiError.conflict('Taken'), host);
    expect(answered(res).status).toBe(409);
    expect(record).not.toHaveBeenCalled();
  });

  it('ends a response whose headers were already sent instead of writing a second body', () => {
    const { filter } = setup();
    const { host, res } = http({}, true);
    filter.catch(new Error('stream broke'), host);
    expect(res.send).not.toHaveBeenCalled();
    expect(res.raw.end).toHaveBeenCalledTimes(1);
  });
});
