import { PasswordService } from './password.service';

describe('PasswordService', () => {
  const service = new PasswordService();

  it('hashes with argon2id at the OWASP parameters, salted', async () => {
    const a = await service.hash('correct horse');
    const b = await service.hash('correct horse');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
  });

  it('verifies the right password only', async () => {
    const hash = await service.hash('correct horse');
    await expect(service.verify(hash, 'correct horse')).resolves.toBe(true);
    await expect(service.verify(hash, 'Correct horse')).resolves.toBe(false);
  });

  it('still runs argon2 against a dummy hash when there is no hash, and answers false', async () => {
    const spy = jest.spyOn(service as unknown as { safeVerify: (h: string, p: string) => Promise<boolean> }, 'safeVerify');
    try {
      await expect(service.verify(null, 'anything')).resolves.toBe(false);
      await expect(service.verify(undefined, 'anything')).resolves.toBe(false);
      expect(spy).toHaveBeenCalledTimes(2);
      expect(spy.mock.calls[0][0]).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      expect(spy.mock.calls[0][0]).toBe(spy.mock.calls[1][0]);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers false for a malformed stored hash instead of throwing', async () => {
    await expect(service.verify('not-a-hash', 'anything')).resolves.toBe(false);
  });
});
