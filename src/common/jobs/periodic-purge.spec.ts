import { Logger } from '@nestjs/common';
import { PeriodicPurge } from './periodic-purge';

describe('PeriodicPurge', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs a minute after start, then hourly, until stopped', () => {
    const run = jest.fn().mockResolvedValue(0);
    const purge = new PeriodicPurge(new Logger('test'), 'rows');
    purge.start(run);
    jest.advanceTimersByTime(59_999);
    expect(run).toHaveBeenCalledTimes(0);
    jest.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(3_600_000);
    expect(run).toHaveBeenCalledTimes(2);
    purge.stop();
    jest.advanceTimersByTime(3 * 3_600_000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('takes another period, and logs a failed run and goes on', async () => {
    const logger = new Logger('test');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const run = jest.fn().mockRejectedValueOnce(new Error('database away')).mockResolvedValue(0);
    const purge = new PeriodicPurge(logger, 'expired buckets', { intervalMs: 300_000, firstDelayMs: 300_000 });
    purge.start(run);
    await jest.advanceTimersByTimeAsync(300_000);
    expect(warn).toHaveBeenCalledWith('purge of expired buckets failed: database away');
    await jest.advanceTimersByTimeAsync(600_000);
    expect(run).toHaveBeenCalledTimes(3);
    purge.stop();
  });

  it('drains batch after batch until one says there is no more', async () => {
    jest.useRealTimers();
    const batches = [
      { deleted: 3, more: true },
      { deleted: 2, more: false },
    ];
    const batch = jest.fn(async () => batches.shift()!);
    await expect(new PeriodicPurge(new Logger('test'), 'rows').drain(batch)).resolves.toBe(5);
    expect(batch).toHaveBeenCalledTimes(2);
  });
});
