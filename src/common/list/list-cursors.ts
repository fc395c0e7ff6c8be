import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfigType, InjectAppConfig } from '../../config/app-config';
import { MAX_ID } from '../pipes/id-param.pipe';
import { isStorableText } from '../validation/storable-text';

/** Where a keyset page ends: what `nextCursor` carries. */
export interface Cursor {
  /** Values of the sort fields (and id) of the last row of the previous page. */
  v: (string | number)[];
  /** The page number this cursor leads to. */
  p: number;
  /** The sort it was made for: a cursor is only valid with the same sort. */
  s: string;
}

/** What a keyset value must be, from the type of its column. */
export type KeysetKind = 'timestamp' | 'integer' | 'text';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_TEXT = 2000;
const MAC_BYTES = 16;

function validValue(v: unknown, kind: KeysetKind): boolean {
  switch (kind) {
    case 'timestamp':
      // Exactly what toISOString() wrote for a real date: no other year range, no "2026-13-45".
      return typeof v === 'string' && ISO_UTC.test(v) && new Date(v).toISOString() === v;
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= -MAX_ID - 1 && v <= MAX_ID;
    case 'text':
      return typeof v === 'string' && v.length <= MAX_TEXT && isStorableText(v);
  }
}

/**
 * Signs and checks list cursors. A cursor is `<payload>.<mac>`: the JSON of a Cursor in base64url
 * and an HMAC-SHA256 of that text under a key derived from the JWT secret, so every instance
 * sharing the secret accepts the cursors of the others, and a client can neither forge nor alter
 * one. A cursor is also checked in full after its signature: a value it carries reaches SQL.
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own, so a cursor's MAC can never serve as any other signature made with the secret.
    this.key = createHmac('sha256', secret).update('leads-api list cursor').digest();
  }

  encode(cursor: Cursor): string {
    const payload = Buffer.from(JSON.stringify(cursor)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The cursor, when `raw` is one this codec issued for `sort` with values of `kinds`; else null. */
  decode(raw: string, sort: string, kinds: KeysetKind[]): Cursor | null {
    const dot = raw.indexOf('.');
    if (dot <= 0) return null;
    const payload = raw.slice(0, dot);
    const given = Buffer.from(raw.slice(dot + 1));
    const expected = Buffer.from(this.mac(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let c: unknown;
    try {
      c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (c === null || typeof c !== 'object') return null;
    const { v, p, s } = c as Partial<Cursor>;
    if (s !== sort || !Number.isSafeInteger(p) || (p as number) < 2) return null;
    if (!Array.isArray(v) || v.length !== kinds.length || !v.every((x, i) => validValue(x, kinds[i]))) return null;
    return { v, p: p as number, s };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES).toString('base64url');
  }
}

let installed: CursorCodec | null = null;

/** The codec of this process's lists; installed at start-up by ListCursorKey. */
export function listCursors(): CursorCodec {
  if (!installed) throw new Error('List cursors are used before ListCursorKey installed their key');
  return installed;
}

/**
 * Installs the cursor key from the configuration when the application starts. `paginate` is a
 * function its callers share without injection, so the codec is kept by this module.
 */
@Injectable()
export class ListCursorKey implements OnModuleInit {
  constructor(@InjectAppConfig() private readonly config: AppConfigType) {}

  onModuleInit(): void {
    installed = new CursorCodec(this.config.jwt.secret);
  }
}
