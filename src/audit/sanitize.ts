import { unescape as unescapeQuery } from 'node:querystring';
import { storableText } from '../common/validation/storable-text';

export const MASK = '[REDACTED]';
const MAX_DEPTH = 8;
const MAX_STRING = 2000;
const MAX_KEYS = 100;

/** Headers named like a secret (`authorization`, `cookie`, `x-api-key`, `x-auth-token`, …) keep their name, never their value. */
export function sanitizeHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = isSecretKey(name) ? MASK : value;
  }
  return out;
}

/**
 * A copy of `value` with secret-looking keys masked, long strings cut, text made storable (jsonb
 * refuses NUL and lone surrogates, and the entry would be lost), and depth/width bounded, so a
 * hostile body cannot bloat the audit log, break its insert, or smuggle a secret into it.
 */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') {
    return storableText(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
  }
  if (typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((v) => maskSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const key in value) {
    // An undefined property is one JSON leaves out (an unset lead field), so the copy leaves it out too.
    if (!Object.prototype.hasOwnProperty.call(value, key) || (value as Record<string, unknown>)[key] === undefined) continue;
    if (n++ >= MAX_KEYS) {
      out['…'] = '[truncated]';
      break;
    }
    const masked = isSecretKey(key) ? MASK : maskSecrets((value as Record<string, unknown>)[key], depth + 1);
    const name = storableText(key);
    // JSON.parse keeps "__proto__" as an own key; assigning it would set the copy's prototype instead.
    if (name === '__proto__') Object.defineProperty(out, name, { value: masked, enumerable: true, writable: true, configurable: true });
    else out[name] = masked;
  }
  return out;
}

/**
 * `url` with the value of every query parameter named like a secret replaced by the mask; the path,
 * the other parameters and the names stay as sent (`/leads?token=[REDACTED]&page=2`). Names are
 * decoded as Express decodes them, so `pass%77ord` is the `password` that `req.query` shows.
 */
export function sanitizePath(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  let changed = false;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((param) => {
      const eq = param.indexOf('=');
      if (eq < 0 || !isSecretKey(queryName(param.slice(0, eq)))) return param;
      changed = true;
      return `${param.slice(0, eq + 1)}${MASK}`;
    });
  return changed ? `${url.slice(0, q + 1)}${params.join('&')}` : url;
}

function queryName(raw: string): string {
  return raw.includes('%') || raw.includes('+') ? unescapeQuery(raw.replace(/\+/g, ' ')) : raw;
}

/**
 * The one rule for names of secrets, whether a header, a body or data key, or a query parameter.
 * A name is a secret when either
 * - its letters and digits, lower-cased (any case, `-`, `_`, spaces and other separators dropped), contain
 *   `password`, `passwd`, `passphrase`, `passcode`, `pwd`, `secret`, `token`, `jwt`, `apikey`, `cookie`,
 *   `credential`, `authorization`, `privatekey`, `csrf` or `xsrf`: words long or odd enough that
 *   ordinary field names do not contain them (`clientsecret`, `x-access-token`, `API_KEY`, `set-cookie`); or
 * - one of its words is `pin`, `otp`, `totp`, `hotp`, `auth`, `authn`, `authz`, `oauth` or `pass`
 *   (or its plural), words being split at separators, at camelCase humps and between letters and
 *   digits (`userPin`, `PIN_CODE`, `x-auth-token`, `OTPCode`). These short words must stand alone
 *   because they hide inside ordinary names: `shipping`, `opinion`, `spinner`, `pinned`, `author`,
 *   `authorName`, `footprint`, `passport` and the Indian postal `pincode` are not secrets.
 * A false positive only hides a value from the audit log and the service's log; a false negative
 * would store a secret, hence substrings wherever they are safe.
 */
const SECRET_SUBSTRING =
  /password|passwd|passphrase|passcode|pwd|secret|token|jwt|apikey|cookie|credential|authorization|privatekey|csrf|xsrf/;
const SECRET_WORDS: ReadonlySet<string> = new Set(['pin', 'otp', 'totp', 'hotp', 'auth', 'authn', 'authz', 'oauth', 'pass']);
const WORD = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;

function looksSecret(name: string): boolean {
  if (SECRET_SUBSTRING.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''))) return true;
  for (const word of name.match(WORD) ?? []) {
    const w = word.toLowerCase();
    if (SECRET_WORDS.has(w) || (w.endsWith('s') && SECRET_WORDS.has(w.slice(0, -1)))) return true;
  }
  return false;
}

/** The verdicts of names already seen (the same few dozen field and header names come back on every request). */
const secretKeys = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 10_000;

export function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = looksSecret(key);
    if (secretKeys.size < MAX_REMEMBERED_KEYS && key.length <= 100) secretKeys.set(key, secret);
  }
  return secret;
}
