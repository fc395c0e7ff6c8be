import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'lk_';

export interface ApiKeyCredentials {
  /** Public identifier, sent as `apiKey` at login. */
  key: string;
  /** Shown once in the create response, never stored. */
  secret: string;
  /** What is stored: SHA-256 hex of the secret. */
  secretHash: string;
}

/**
 * A SHA-256 of the secret is enough: the secret is 256 random bits, so unlike a password it cannot be
 * guessed from its hash, and a fast hash keeps key logins cheap.
 */
export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKeyCredentials(): ApiKeyCredentials {
  const key = `${API_KEY_PREFIX}${randomBytes(12).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  return { key, secret, secretHash: hashApiKeySecret(secret) };
}

/** Compared in constant time; with no stored hash it still does the work and answers false. */
export function apiKeySecretMatches(secret: string, storedHash: string | null | undefined): boolean {
  const actual = Buffer.from(hashApiKeySecret(secret), 'hex');
  const expected = storedHash && /^[0-9a-f]{64}$/.test(storedHash) ? Buffer.from(storedHash, 'hex') : null;
  const equal = timingSafeEqual(actual, expected ?? Buffer.alloc(actual.length));
  return expected !== null && equal;
}
