import { countRequest, ServingLoad } from './serving-load';

const spin = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ServingLoad', () => {
  it('reads the requests begun per second and how busy the event loop was over the last window', async () => {
    const load = new ServingLoad(50);
    expect(load.current()).toEqual({ utilization: 0, requestsPerSecond: 0 });
    for (let i = 0; i < 20; i++) countRequest();
    await wait(5);
    spin(80);
    const busy = load.current();
    expect(busy.utilization).toBeGreaterThan(0.7);
    expect(busy.utilization).toBeLessThanOrEqual(1);
    // 20 requests in a window of a little over 85 ms.
    expect(busy.requestsPerSecond).toBeGreaterThan(150);
    expect(busy.requestsPerSecond).toBeLessThanOrEqual(20 * (1000 / 85));
    // Within the window the last reading stands; after one with no request, none is counted. (How idle
    // the loop was then depends on what else the test process runs, so it is not asserted.)
    expect(load.current()).toBe(busy);
    await wait(120);
    expect(load.current()).toEqual({ utilization: expect.any(Number), requestsPerSecond: 0 });
  });
});
