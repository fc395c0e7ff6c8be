import { bucketKey } from './db-throttler.storage';

describe('bucketKey', () => {
  it('keeps ordinary keys as they are', () => {
    expect(bucketKey('login-identity:ann@example.com')).toBe('login-identity:ann@example.com');
  });

  it('stores text no database keeps as given, and long keys, as distinct digests', () => {
    const keys = [
      'login-identity:a\u0000',
      'login-identity:a\ud800',
      'login-identity:a\udc00',
      'login-identity:a\ufffd',
      `x:${'a'.repeat(500)}`,
    ];
    const stored = keys.map(bucketKey);
    expect(stored[3]).toBe(keys[3]);
    for (const s of [stored[0], stored[1], stored[2], stored[4]]) expect(s).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(new Set(stored).size).toBe(keys.length);
  });
});
