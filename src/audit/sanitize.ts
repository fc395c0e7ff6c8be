/** Header names whose values never reach the audit log. */
const MASKED_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-api-secret', 'proxy-authorization']);
/** Body/data keys whose values are masked wherever they appear. */
const SECRET_KEY = /pass(word)?|secret|token|authorization|credential|private.?key/i;
export const MASK = '[REDACTED]';
const MAX_DEPTH = 8;
const MAX_STRING = 2000;
const MAX_KEYS = 100;

export function sanitizeHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = MASKED_HEADERS.has(name.toLowerCase()) ? MASK : value;
  }
  return out;
}

/**
 * Any string JSON.parse accepts becomes one both databases can store: PostgreSQL's text and jsonb
 * refuse U+0000 and lone UTF-16 surrogates, and one such entry would otherwise be lost. Both become
 * U+FFFD, the replacement character.
 */
const NUL = /\u0000/g;
const REPLACEMENT = '\uFFFD';
export function storableText(s: string): string {
  const wellFormed = s.isWellFormed() ? s : s.toWellFormed();
  return wellFormed.includes('\u0000') ? wellFormed.replace(NUL, REPLACEMENT) : wellFormed;
}

/**
 * A copy of `value` with secret-looking keys masked, long strings cut, text made storable, and
 * depth/width bounded, so a hostile body cannot bloat the audit log, break its insert, or smuggle a
 * secret into it.
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
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
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

/** The secret-key verdicts of keys already seen (the same few dozen field names come back on every request). */
const secretKeys = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 10_000;

function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (secretKeys.size < MAX_REMEMBERED_KEYS && key.length <= 100) secretKeys.set(key, secret);
  }
  return secret;
}
