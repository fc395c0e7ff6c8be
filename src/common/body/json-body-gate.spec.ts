import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors/api-error';
import { charsetOf, jsonBodyGate, mediaTypeOf } from './json-body-gate';

describe('charsetOf', () => {
  it.each([
    ['application/json', undefined],
    ['application/json;', undefined],
    ['application/json; charset=UTF-8', 'utf-8'],
    ['application/json;charset=latin1', 'latin1'],
    ['application/json; CHARSET = Latin1 ', 'latin1'],
    ['application/json; charset="utf-16"', 'utf-16'],
    ['application/json; charset="a\\"b;c"; x=y', 'a"b;c'],
    ['application/json; charset="unterminated', undefined],
    ['application/json; charset=', ''],
    ['application/json; x=1; charset=koi8-r', 'koi8-r'],
    ['application/json; charset=latin1; charset=utf-8', 'latin1'],
    ['application/json; nocharset; charset=utf8', 'utf8'],
    ['application/json; x="charset=latin1"', undefined],
    ['application/json; x="q;"; charset=ascii', 'ascii'],
    ['application/json; \u00a0charset=latin1', undefined],
  ])('reads %j as %j', (header, charset) => {
    expect(charsetOf(header)).toBe(charset);
  });
});

describe('mediaTypeOf', () => {
  it.each([
    ['application/json', 'application/json'],
    [' Application/JSON ; charset=utf-8', 'application/json'],
    ['\tapplication/json\t', 'application/json'],
    ['text/plain', 'text/plain'],
  ])('reads %j as %j', (header, type) => {
    expect(mediaTypeOf(header)).toBe(type);
  });
});

describe('jsonBodyGate', () => {
  const gate = jsonBodyGate();
  const run = (headers: Record<string, string>) => {
    const req = { headers: { 'content-length': '2', ...headers } } as unknown as IncomingMessage;
    let passed: unknown = 'not called';
    gate(req, {} as never, (err?: unknown) => (passed = err));
    const error = passed instanceof ApiError ? { status: passed.getStatus(), body: passed.getResponse() } : passed;
    return { error, contentType: req.headers['content-type'] };
  };

  it('lets UTF-8 JSON through, as is', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json; charset="UTF-8"']) {
      expect(run({ 'content-type': type })).toEqual({ error: undefined, contentType: type });
    }
  });

  it('names the utf8 spelling as body-parser knows it', () => {
    expect(run({ 'content-type': 'application/json; charset=UTF8' })).toEqual({
      error: undefined,
      contentType: 'application/json; charset=utf-8',
    });
  });

  it('refuses other charsets and codings with 415', () => {
    expect(run({ 'content-type': 'application/json; charset=utf-16' }).error).toEqual({
      status: 415,
      body: { error: 'Unsupported Media Type', message: 'The request body must be UTF-8 JSON; charset "utf-16" is not supported' },
    });
    expect(run({ 'content-type': 'application/json', 'content-encoding': 'BR' }).error).toEqual({
      status: 415,
      body: {
        error: 'Unsupported Media Type',
        message: 'Content-Encoding "br" is not supported; send the body as is, or with gzip or deflate',
      },
    });
  });

  it('accepts gzip, deflate and identity', () => {
    for (const coding of ['gzip', 'Deflate', 'identity']) {
      expect(run({ 'content-type': 'application/json', 'content-encoding': coding }).error).toBeUndefined();
    }
  });

  it('leaves alone what body-parser does not read: other types, requests without a body', () => {
    expect(run({ 'content-type': 'text/plain; charset=latin1', 'content-encoding': 'br' }).error).toBeUndefined();
    const req = { headers: { 'content-type': 'application/json; charset=latin1' } } as unknown as IncomingMessage;
    let passed: unknown = 'not called';
    gate(req, {} as never, (err?: unknown) => (passed = err));
    expect(passed).toBeUndefined();
  });
});
