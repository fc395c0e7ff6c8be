import { createServer, RequestListener } from 'node:http';
import { AddressInfo } from 'node:net';
import { Tenant } from './fixtures';
import { TestApp } from './test-app';

/** Sets environment variables for the app a test is about to create; the function returned restores them. */
export function setEnv(vars: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** A webhook receiver on 127.0.0.1: `base` is its URL; `close` ends every connection, answered or not. */
export async function startReceiver(handle: RequestListener): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Creates a webhook of the tenant through the API (201 expected); its body. */
export async function createWebhook<T extends { id: number } = { id: number }>(
  t: TestApp,
  tenant: Tenant,
  url: string,
  events = ['lead.created'],
): Promise<T> {
  return (await t.http().post('/webhooks').set(tenant.headers).send({ url, events }).expect(201)).body as T;
}
