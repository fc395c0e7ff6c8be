import { createHash } from 'node:crypto';
import { apiKeySecretMatches, generateApiKeyCredentials, hashApiKeySecret } from './api-key-credentials';

describe('API key credentials', () => {
  it('generates a public key, a 256-bit base64url secret and its SHA-256 hex', () => {
    const c = generateApiKeyCredentials();
    expect(c.key).toMatch(/^lk_[0-9a-f]{24}$/);
    expect(c.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(c.secret, 'base64url')).toHaveLength(32);
    expect(c.secretHash).toBe(createHash('sha256').update(c.secret).digest('hex'));
    const other = generateApiKeyCredentials();
    expect(other.key).not.toBe(c.key);
    expect(other.secret).not.toBe(c.secret);
  });

  it('matches the right secret only', () => {
    const c = generateApiKeyCredentials();
    expect(apiKeySecretMatches(c.secret, c.secretHash)).toBe(true);
    expect(apiKeySecretMatches(`${c.secret}x`, c.secretHash)).toBe(false);
    expect(apiKeySecretMatches(c.secret, hashApiKeySecret('other'))).toBe(false);
  });

  it('answers false, without throwing, when there is no usable stored hash', () => {
    expect(apiKeySecretMatches('s', null)).toBe(false);
    expect(apiKeySecretMatches('s', undefined)).toBe(false);
    expect(apiKeySecretMatches('s', 'abc')).toBe(false);
    // An all-zero "hash" never matches, even though the comparison runs against zeros.
    expect(apiKeySecretMatches('s', '0'.repeat(64))).toBe(false);
  });
});
