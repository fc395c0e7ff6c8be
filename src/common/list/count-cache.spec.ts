import { CountCache } from './count-cache';

/** A count whose answer the test gives when it wants (a query still running until then). */
function pending() {
  let resolve!: (n: number) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<number>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('CountCache', () => {
  let clock: number;
  let cache: CountCache;
  const opts = { min: 100, ttlMs: 5_000, staleMaxMs: 15_000, size: 3 };

  beforeEach(() => {
    clock = 1_000_000;
    cache = new CountCache({ ...opts, now: () => clock });
  });

  it('counts below the minimum are taken on every request', async () => {
    const compute = jest.fn().mockResolvedValueOnce(99).mockResolvedValueOnce(98);
    await expect(cache.get('q', compute)).resolves.toBe(99);
    await flush();
    await expect(cache.get('q', compute)).resolves.toBe(98);
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it('a large count is taken once for concurrent requests and reused while young', async () => {
    const first = pending();
    const compute = jest.fn().mockReturnValueOnce(first.promise);
    const a = cache.get('q', compute);
    const b = cache.get('q', compute);
    first.resolve(500);
    await expect(a).resolves.toBe(500);
    await expect(b).resolves.toBe(500);
    clock += opts.ttlMs - 1;
    await expect(cache.get('q', compute)).resolves.toBe(500);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('past its age a count is answered at once while ONE refresh runs, then the refreshed count', async () => {
    const refresh = pending();
    const compute = jest.fn().mockResolvedValueOnce(500).mockReturnValueOnce(refresh.promise);
    await expect(cache.get('q', compute)).resolves.toBe(500);
    await flush();

    clock += opts.ttlMs;
    // The refresh has not answered: every request still gets the count it had, without waiting.
    await expect(cache.get('q', compute)).resolves.toBe(500);
    await expect(cache.get('q', compute)).resolves.toBe(500);
    expect(compute).toHaveBeenCalledTimes(2);

    refresh.resolve(650);
    await flush();
    await expect(cache.get('q', compute)).resolves.toBe(650);
    expect(compute).toHaveBeenCalledTimes(2);

    // The refreshed count is young from when its refresh started.
    clock += opts.ttlMs - 1;
    await expect(cache.get('q', compute)).resolves.toBe(650);
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it('a count older than staleMaxMs is not answered: the request waits for a new one', async () => {
    const next = pending();
    const compute = jest.fn().mockResolvedValueOnce(500).mockReturnValueOnce(next.promise);
    await cache.get('q', compute);
    await flush();
    clock += opts.staleMaxMs;
    let answered: number | undefined;
    const waiting = cache.get('q', compute).then((n) => (answered = n));
    await flush();
    expect(answered).toBeUndefined();
    next.resolve(700);
    await waiting;
    expect(answered).toBe(700);
  });

  it('a refresh that fails forgets the count: the next request takes it again and sees its error', async () => {
    const refresh = pending();
    const compute = jest
      .fn()
      .mockResolvedValueOnce(500)
      .mockReturnValueOnce(refresh.promise)
      .mockRejectedValueOnce(new Error('database gone'));
    await cache.get('q', compute);
    await flush();
    clock += opts.ttlMs;
    await expect(cache.get('q', compute)).resolves.toBe(500);
    refresh.reject(new Error('timeout'));
    await flush();
    await expect(cache.get('q', compute)).rejects.toThrow('database gone');
    expect(compute).toHaveBeenCalledTimes(3);
  });

  it('a refresh that finds fewer rows than the minimum makes the count exact again', async () => {
    const compute = jest.fn().mockResolvedValueOnce(500).mockResolvedValueOnce(40).mockResolvedValueOnce(41);
    await cache.get('q', compute);
    await flush();
    clock += opts.ttlMs;
    await expect(cache.get('q', compute)).resolves.toBe(500);
    await flush();
    await expect(cache.get('q', compute)).resolves.toBe(41);
    expect(compute).toHaveBeenCalledTimes(3);
  });

  it('a first count that fails is not remembered', async () => {
    const compute = jest.fn().mockRejectedValueOnce(new Error('boom')).mockResolvedValueOnce(500);
    await expect(cache.get('q', compute)).rejects.toThrow('boom');
    await flush();
    await expect(cache.get('q', compute)).resolves.toBe(500);
  });

  it('keeps at most `size` queries, forgetting the oldest first', async () => {
    const compute = jest.fn().mockResolvedValue(500);
    for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, compute);
    await flush();
    expect(compute).toHaveBeenCalledTimes(4);
    await cache.get('b', compute);
    await cache.get('c', compute);
    await cache.get('d', compute);
    expect(compute).toHaveBeenCalledTimes(4);
    await cache.get('a', compute);
    expect(compute).toHaveBeenCalledTimes(5);
  });

  it('keys are separate queries', async () => {
    const compute = jest.fn().mockResolvedValueOnce(500).mockResolvedValueOnce(900);
    await expect(cache.get('a', compute)).resolves.toBe(500);
    await expect(cache.get('b', compute)).resolves.toBe(900);
  });
});
