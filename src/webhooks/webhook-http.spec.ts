import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { AttemptTimeoutError, guardedLookup, LookupAll, RefusedTargetError, WebhookHttpClient } from './webhook-http';

/** A local server answering with `handle`; counts the requests it got. */
async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; port: number; got: string[] }> {
  const got: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push(body);
      handle(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, got };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A resolver knowing only `table` (host → addresses). */
const fakeResolver =
  (table: Record<string, string[]>): LookupAll =>
  (host, _options, callback) => {
    const addresses = table[host];
    if (!addresses) return callback(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };

describe('WebhookHttpClient', () => {
  const clients: WebhookHttpClient[] = [];
  const servers: Server[] = [];
  const client = (lookup?: ReturnType<typeof guardedLookup>) => {
    const c = new WebhookHttpClient(2, lookup);
    clients.push(c);
    return c;
  };
  const open = { timeoutMs: 1000, allowPrivate: true };
  const guarded = { timeoutMs: 1000, allowPrivate: false };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of servers.splice(0)) await close(s);
  });

  it('posts the body with its headers and answers the status, over one kept-alive connection', async () => {
    const sockets = new Set<Socket>();
    const { server, port, got } = await serve((req, res) => {
      sockets.add(req.socket);
      res.statusCode = req.headers['x-test'] === 'yes' && req.headers['content-length'] === '7' ? 204 : 400;
      res.end();
    });
    servers.push(server);
    const c = client();
    for (let i = 0; i < 3; i++) {
      await expect(c.post(`http://127.0.0.1:${port}/hook?k=1`, { 'x-test': 'yes' }, '{"a":1}', open)).resolves.toBe(204);
    }
    expect(got).toEqual(['{"a":1}', '{"a":1}', '{"a":1}']);
    expect(sockets.size).toBe(1);
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const { server, port, got } = await serve((_req, res) => {
      res.writeHead(307, { location: 'http://169.254.169.254/latest' }).end();
    });
    servers.push(server);
    await expect(client().post(`http://127.0.0.1:${port}/`, {}, '{}', open)).resolves.toBe(307);
    expect(got).toHaveLength(1);
  });

  it('times out the whole attempt, and counts an answer whose body never ends by its status', async () => {
    const { server: silent, port: silentPort } = await serve(() => undefined);
    const { server: trickle, port: tricklePort } = await serve((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    servers.push(silent, trickle);
    const c = client();
    const started = Date.now();
    await expect(c.post(`http://127.0.0.1:${silentPort}/`, {}, '{}', { ...open, timeoutMs: 200 })).rejects.toThrow(
      new AttemptTimeoutError('no answer within 200 ms'),
    );
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(c.post(`http://127.0.0.1:${tricklePort}/`, {}, '{}', { ...open, timeoutMs: 200 })).resolves.toBe(200);
  });

  it('counts an answer whose connection closes in the middle of its body by its status', async () => {
    const { server, port } = await serve((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => req.socket.destroy());
    });
    servers.push(server);
    await expect(client().post(`http://127.0.0.1:${port}/`, {}, '{}', open)).resolves.toBe(200);
  });

  it('sends a request again on a new connection when the kept-alive one was closed by the receiver', async () => {
    let n = 0;
    const { server, port, got } = await serve((req, res) => {
      // The second request on the first connection finds it closed.
      if (++n === 2) return req.socket.destroy();
      res.end();
    });
    servers.push(server);
    const c = client();
    await expect(c.post(`http://127.0.0.1:${port}/`, {}, '1', open)).resolves.toBe(200);
    await expect(c.post(`http://127.0.0.1:${port}/`, {}, '2', open)).resolves.toBe(200);
    expect(got).toEqual(['1', '2', '2']);
  });

  it('fails with the error code of a refused connection', async () => {
    const { server, port } = await serve(() => undefined);
    await close(server);
    await expect(client().post(`http://127.0.0.1:${port}/`, {}, '{}', open)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses private targets when they are not allowed: literal addresses, and names at the lookup it connects with', async () => {
    const { server, port, got } = await serve((_req, res) => res.end());
    servers.push(server);
    const c = client(guardedLookup(fakeResolver({ 'rebind.test': ['127.0.0.1'], 'mixed.test': ['93.184.216.34', '10.0.0.1'] })));
    await expect(c.post(`http://127.0.0.1:${port}/`, {}, '{}', guarded)).rejects.toThrow(
      new RefusedTargetError('host 127.0.0.1 resolves to a private, loopback or link-local address (127.0.0.1)'),
    );
    await expect(c.post(`http://[::ffff:127.0.0.1]:${port}/`, {}, '{}', guarded)).rejects.toBeInstanceOf(RefusedTargetError);
    await expect(c.post(`http://rebind.test:${port}/`, {}, '{}', guarded)).rejects.toThrow(
      new RefusedTargetError('host rebind.test resolves to a private, loopback or link-local address (127.0.0.1)'),
    );
    await expect(c.post(`http://mixed.test:${port}/`, {}, '{}', guarded)).rejects.toThrow('(10.0.0.1)');
    await expect(c.post(`http://nowhere.test:${port}/`, {}, '{}', guarded)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(got).toHaveLength(0);
    // Allowed, the same host is posted to.
    await expect(c.post(`http://127.0.0.1:${port}/`, {}, '{}', open)).resolves.toBe(200);
  });
});

describe('guardedLookup', () => {
  it('answers one address or all of them, as the connection asks, when every address is public', (done) => {
    const lookup = guardedLookup(fakeResolver({ 'public.test': ['93.184.216.34', '2606:4700::1'] }));
    lookup('public.test', { all: true }, (err, addresses) => {
      expect(err).toBeNull();
      expect(addresses).toEqual([
        { address: '93.184.216.34', family: 4 },
        { address: '2606:4700::1', family: 6 },
      ]);
      lookup('public.test', {}, (err2, address, family) => {
        expect([err2, address, family]).toEqual([null, '93.184.216.34', 4]);
        done();
      });
    });
  });
});
