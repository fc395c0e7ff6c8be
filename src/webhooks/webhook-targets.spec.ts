import { privateTargetProblem, urlProblem } from './webhook-targets';

describe('webhook targets', () => {
  it('accepts http and https URLs without credentials', () => {
    expect(urlProblem('https://hooks.example.com/leads?x=1')).toBeNull();
    expect(urlProblem('http://127.0.0.1:3510/')).toBeNull();
    expect(urlProblem('ftp://example.com/')).toBe('must be an absolute http or https URL');
    expect(urlProblem('/relative')).toBe('must be an absolute http or https URL');
    expect(urlProblem('https://user:pw@example.com/')).toBe('must not contain credentials (deliveries are signed instead)');
  });

  it('refuses literal and resolved private addresses, and hosts that do not resolve', async () => {
    const resolve = async (host: string) => {
      const table: Record<string, string[]> = {
        'public.test': ['93.184.216.34', '2606:4700::1'],
        'mixed.test': ['93.184.216.34', '10.0.0.5'],
        'mapped.test': ['::ffff:127.0.0.1'],
        'empty.test': [],
      };
      if (!(host in table)) throw new Error('ENOTFOUND');
      return table[host];
    };
    await expect(privateTargetProblem('https://public.test/x', resolve)).resolves.toBeNull();
    await expect(privateTargetProblem('https://93.184.216.34/x', resolve)).resolves.toBeNull();
    await expect(privateTargetProblem('https://mixed.test/x', resolve)).resolves.toBe(
      'host mixed.test resolves to a private, loopback or link-local address (10.0.0.5)',
    );
    await expect(privateTargetProblem('http://mapped.test/', resolve)).resolves.toContain('(::ffff:127.0.0.1)');
    await expect(privateTargetProblem('http://127.0.0.1:8080/', resolve)).resolves.toContain('(127.0.0.1)');
    await expect(privateTargetProblem('http://[::1]:8080/', resolve)).resolves.toContain('(::1)');
    await expect(privateTargetProblem('http://[fd00::1]/', resolve)).resolves.toContain('(fd00::1)');
    await expect(privateTargetProblem('http://nowhere.test/', resolve)).resolves.toBe('host nowhere.test does not resolve');
    await expect(privateTargetProblem('http://empty.test/', resolve)).resolves.toBe('host empty.test does not resolve');
  });
});
