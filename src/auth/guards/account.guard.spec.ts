import { membershipAccountId, parseAccountId } from './account.guard';

describe('x-account-id', () => {
  it('parses positive digit strings', () => {
    expect(parseAccountId('12')).toBe(12);
    expect(parseAccountId('2147483648')).toBe(2147483648);
    for (const raw of ['0', '', '-1', '1e3', ' 1', '1234567890123456', undefined, ['1']]) expect(parseAccountId(raw)).toBeNull();
  });

  it('looks no membership up beyond the id range, where no account exists', () => {
    expect(membershipAccountId('2147483647')).toBe(2147483647);
    expect(membershipAccountId('2147483648')).toBeNull();
    expect(membershipAccountId('999999999999999')).toBeNull();
  });
});
