import { isTimeZoneName } from './time-zone';

describe('isTimeZoneName', () => {
  it('accepts IANA names in any case, and links', () => {
    for (const name of ['UTC', 'Europe/Berlin', 'america/new_york', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'US/Eastern', 'GMT']) {
      expect({ name, valid: isTimeZoneName(name) }).toEqual({ name, valid: true });
    }
  });

  it('refuses unknown names, offsets, blanks and over-long text', () => {
    for (const name of ['Mars/Olympus_Mons', 'Europe/Berlin ', '', '+02:00', '-0500', 'Z', 'UTC\u0000', `Europe/${'x'.repeat(60)}`]) {
      expect({ name, valid: isTimeZoneName(name) }).toEqual({ name, valid: false });
    }
  });
});
