import { isAway, isOwnAvailabilityChange } from './availability';

describe('isOwnAvailabilityChange', () => {
  const me = { userId: 7, email: 'me@example.com', apiKeyId: null };

  it('is a user session changing only its own away or awayUntil', () => {
    expect(isOwnAvailabilityChange(me, 7, { away: true })).toBe(true);
    expect(isOwnAvailabilityChange(me, 7, { awayUntil: null })).toBe(true);
    expect(isOwnAvailabilityChange(me, 7, { away: false, awayUntil: '2030-01-01T00:00:00Z' })).toBe(true);
  });

  it('is not another user, an API key, another field alongside, or no availability field at all', () => {
    expect(isOwnAvailabilityChange(me, 8, { away: true })).toBe(false);
    expect(isOwnAvailabilityChange({ ...me, apiKeyId: 3 }, 7, { away: true })).toBe(false);
    expect(isOwnAvailabilityChange(me, 7, { away: true, name: null })).toBe(false);
    expect(isOwnAvailabilityChange(me, 7, { away: true, role: 'admin' })).toBe(false);
    expect(isOwnAvailabilityChange(me, 7, { awayUntil: null, active: true })).toBe(false);
    expect(isOwnAvailabilityChange(me, 7, {})).toBe(false);
  });
});

describe('isAway', () => {
  const now = new Date('2030-01-01T12:00:00.000Z');

  it('is away when marked away with no end or an end still to come', () => {
    expect(isAway({ away: true, awayUntil: null }, now)).toBe(true);
    expect(isAway({ away: true, awayUntil: new Date('2030-01-01T12:00:00.001Z') }, now)).toBe(true);
  });

  it('is available when not marked away, or once the end has come', () => {
    expect(isAway({ away: false, awayUntil: null }, now)).toBe(false);
    expect(isAway({ away: false, awayUntil: new Date('2031-01-01T00:00:00Z') }, now)).toBe(false);
    expect(isAway({ away: true, awayUntil: now }, now)).toBe(false);
    expect(isAway({ away: true, awayUntil: new Date('2029-12-31T00:00:00Z') }, now)).toBe(false);
  });
});
