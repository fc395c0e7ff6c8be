import { normalizeEmail } from './email';

describe('normalizeEmail', () => {
  it('trims and lower-cases every letter, not only ASCII', () => {
    expect(normalizeEmail('  ÉLODIE.Ünal@Example.COM \t')).toBe('élodie.ünal@example.com');
  });

  it('keeps null and undefined as null', () => {
    expect(normalizeEmail(null)).toBeNull();
    expect(normalizeEmail(undefined)).toBeNull();
  });
});
