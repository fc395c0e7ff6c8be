import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The secrets of webhooks: generated, encrypted at rest with AES-256-GCM under a key derived (HKDF)
 * from WEBHOOK_SECRET_KEY, and used to sign deliveries the way Stripe does.
 */

const FORMAT = 'v1';

/** A new signing secret, `whsec_` and 256 random bits. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The AES key of a WEBHOOK_SECRET_KEY setting. */
export function deriveWebhookKey(setting: string): Buffer {
  return Buffer.from(hkdfSync('sha256', setting, 'leads-api', 'webhook-secret-encryption', 32));
}

/** `v1.<iv>.<tag>.<ciphertext>` (base64url): a fresh IV for every secret. */
export function encryptSecret(key: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/** The secret of `encryptSecret`'s text; throws when the key is not the one it was encrypted with. */
export function decryptSecret(key: Buffer, stored: string): string {
  const [format, iv, tag, data] = stored.split('.');
  if (format !== FORMAT || !iv || !tag || data === undefined) throw new Error('unknown webhook secret format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

/** The `Leads-Signature` header of `body` sent at `timestamp` (unix seconds): `t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}
