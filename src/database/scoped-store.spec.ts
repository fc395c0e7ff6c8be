import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as tick } from 'node:timers/promises';
import { ScopedStore } from './scoped-store';

describe('ScopedStore', () => {
  afterEach(() => jest.restoreAllMocks());

  it('shows the value to everything the scope awaits, and nothing outside it', async () => {
    const store = new ScopedStore<string>();
    expect(store.get()).toBeUndefined();
    const seen: (string | undefined)[] = [];
    await store.run('a', async () => {
      seen.push(store.get());
      await tick();
      seen.push(store.get());
      await Promise.all([tick().then(() => seen.push(store.get()))]);
    });
    expect(seen).toEqual(['a', 'a', 'a']);
    expect(store.get()).toBeUndefined();
  });

  it('keeps concurrent scopes apart', async () => {
    const store = new ScopedStore<number>();
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        store.run(n, async () => {
          await tick();
          await tick();
          return store.get();
        }),
      ),
    );
    expect(results).toEqual([1, 2, 3]);
  });

  it('hides the value from work run through exit, also after it awaits', async () => {
    const store = new ScopedStore<string>();
    const seen = await store.run('a', () =>
      store.exit(async () => {
        const before = store.get();
        await tick();
        return [before, store.get()];
      }),
    );
    expect(seen).toEqual([undefined, undefined]);
    expect(await store.exit(async () => store.get())).toBeUndefined();
  });

  it('turns its AsyncLocalStorage off when the last open scope closes, also when it failed', async () => {
    const disable = jest.spyOn(AsyncLocalStorage.prototype, 'disable');
    const store = new ScopedStore<string>();
    let release!: () => void;
    const first = store.run('a', () => new Promise<void>((r) => (release = r)));
    await expect(store.run('b', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(disable).not.toHaveBeenCalled(); // 'a' is still open
    release();
    await first;
    expect(disable).toHaveBeenCalledTimes(1);
    expect(await store.run('c', async () => store.get())).toBe('c');
    expect(disable).toHaveBeenCalledTimes(2);
  });
});
