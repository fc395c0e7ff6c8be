import type { IncomingHttpHeaders } from 'node:http';
import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/** Content codings whose bodies are read (body-parser inflates them); others are refused. */
const READ_CODINGS = new Set(['identity', 'gzip', 'deflate']);
/** Echoed header values are cut to this length. */
const ECHO_MAX = 100;

export function unsupportedCharset(charset: string): ApiError {
  return new ApiError(
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    'Unsupported Media Type',
    `The request body must be UTF-8 JSON; charset "${charset.slice(0, ECHO_MAX)}" is not supported`,
  );
}

export function unsupportedCoding(coding: string): ApiError {
  return new ApiError(
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    'Unsupported Media Type',
    `Content-Encoding "${coding.slice(0, ECHO_MAX)}" is not supported; send the body as is, or with gzip or deflate`,
  );
}

const SEMI = 0x3b;
const EQ = 0x3d;
const DQUOTE = 0x22;
const BSLASH = 0x5c;
const isOws = (c: number) => c === 0x20 || c === 0x09;

function skipOws(s: string, i: number): number {
  while (i < s.length && isOws(s.charCodeAt(i))) i++;
  return i;
}

function trimOwsEnd(s: string, start: number, end: number): number {
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return end;
}

function nextSemi(s: string, i: number): number {
  const semi = s.indexOf(';', i);
  return semi === -1 ? s.length : semi;
}

/** The media type of a Content-Type value, lower-cased, as body-parser's type check reads it. */
export function mediaTypeOf(contentType: string): string {
  const start = skipOws(contentType, 0);
  return contentType.slice(start, trimOwsEnd(contentType, start, nextSemi(contentType, start))).toLowerCase();
}

/**
 * The first `charset` parameter of a Content-Type value, lower-cased; undefined when there is none.
 * The same reading as the `content-type` package that body-parser uses (names case-insensitive,
 * quoted values unescaped, an unterminated quote ignored, the first of a repeated name wins), so
 * the gate and the parser always agree on a body's charset.
 */
export function charsetOf(contentType: string): string | undefined {
  const len = contentType.length;
  let i = nextSemi(contentType, 0);
  parameter: while (i < len) {
    i = skipOws(contentType, i + 1);
    const nameStart = i;
    for (; i < len; i++) {
      const c = contentType.charCodeAt(i);
      if (c === SEMI) continue parameter;
      if (c !== EQ) continue;
      const name = contentType.slice(nameStart, trimOwsEnd(contentType, nameStart, i)).toLowerCase();
      i = skipOws(contentType, i + 1);
      if (contentType.charCodeAt(i) === DQUOTE) {
        let value = '';
        for (i++; i < len; i++) {
          const q = contentType.charCodeAt(i);
          if (q === DQUOTE) {
            if (name === 'charset') return value.toLowerCase();
            i = nextSemi(contentType, i);
            continue parameter;
          }
          if (q === BSLASH && i + 1 < len) i++;
          value += contentType[i];
        }
        return undefined;
      }
      const valueStart = i;
      i = nextSemi(contentType, i);
      if (name === 'charset') return contentType.slice(valueStart, trimOwsEnd(contentType, valueStart, i)).toLowerCase();
      continue parameter;
    }
  }
  return undefined;
}

/**
 * A hook that runs before the JSON body parser and refuses, as 415, what it would otherwise read
 * wrongly or fail on: a charset other than UTF-8 (JSON is UTF-8; body-parser would decode UTF-16 and others),
 * and a content coding other than gzip or deflate. `utf8` names UTF-8 too but body-parser only
 * knows the `utf-` spelling, so that header is rewritten. Only requests body-parser reads are
 * looked at (a body, Content-Type application/json), with its own tests for both.
 */
export function jsonBodyGate() {
  return (req: { headers: IncomingHttpHeaders }, _reply: unknown, next: (err?: Error) => void): void => {
    const type = req.headers['content-type'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']));
    if (type === undefined || !hasBody) return next();
    if (type !== 'application/json') {
      if (mediaTypeOf(type) !== 'application/json') return next();
      const charset = charsetOf(type);
      if (charset === 'utf8') req.headers['content-type'] = 'application/json; charset=utf-8';
      else if (charset !== undefined && charset !== '' && charset !== 'utf-8') return next(unsupportedCharset(charset));
    }
    const coding = req.headers['content-encoding'];
    if (coding !== undefined && !READ_CODINGS.has(coding.toLowerCase())) return next(unsupportedCoding(coding.toLowerCase()));
    next();
  };
}
