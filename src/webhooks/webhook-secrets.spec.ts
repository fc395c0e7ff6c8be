import { createHmac } from 'node:crypto';
import { newEventId } from './webhook-events';
import { decryptSecret, deriveWebhookKey, encryptSecret, generateWebhookSecret, signatureHeader } from './webhook-secrets';

describe('webhook secrets', () => {
  const key = deriveWebhookKey('k'.repeat(32));

  it('generates whsec_ secrets and evt_ ids', () => {
    expect(generateWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newEventId()).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(generateWebhookSecret()).not.toBe(generateWebhookSecret());
  });

  it('encrypts with a fresh IV each time and decrypts only with the same key', () => {
    const secret = generateWebhookSecret();
    const a = encryptSecret(key, secret);
    const b = encryptSecret(key, secret);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret.slice(6));
    expect(decryptSecret(key, a)).toBe(secret);
    expect(() => decryptSecret(deriveWebhookKey('o'.repeat(32)), a)).toThrow();
    const [v, iv, tag, data] = a.split('.');
    const flipped = Buffer.from(data, 'base64url');
    flipped[0] ^= 1;
    expect(() => decryptSecret(key, [v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
  });

  it('signs "<t>.<body>" with HMAC-SHA256 keyed with the secret', () => {
    const body = '{"id":"evt_1"}';
    const expected = createHmac('sha256', 'whsec_test').update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader('whsec_test', 1700000000, body)).toBe(`t=1700000000,v1=${expected}`);
  });
});
