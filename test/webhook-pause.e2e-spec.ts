import { WebhookDelivery } from '../src/webhooks/entities/webhook-delivery.entity';
import { GAVE_UP } from '../src/webhooks/webhooks.repository';
import { Fixtures, Tenant } from './utils/fixtures';
import { createTestApp, TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';
import { createWebhook, setEnv, startReceiver } from './utils/webhook-fixtures';

interface Hook {
  id: number;
  consecutiveFailures: number;
  failingSince: string | null;
  pausedUntil: string | null;
}

interface DeliveryLog {
  data: { eventType: string; status: string; attempts: number; nextAttemptAt: string | null }[];
}

describe('webhook pause after failures in a row', () => {
  let t: TestApp;
  let f: Fixtures;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let restoreEnv: () => void;
  let down = true;
  /** Event types received per path, in order. */
  const received = new Map<string, string[]>();

  beforeAll(async () => {
    receiver = await startReceiver((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const type = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string }).type;
        received.set(req.url!, [...(received.get(req.url!) ?? []), type]);
        res.statusCode = req.url === '/down2' || (req.url === '/down' && down) ? 500 : 200;
        res.end();
      });
    });
    // A failed delivery's own retry comes after a minute, so only the pause decides what is sent here.
    restoreEnv = setEnv({ WEBHOOK_RETRY_BASE_MS: '60000', WEBHOOK_PAUSE_AFTER_FAILURES: '3', WEBHOOK_TIMEOUT_MS: '2000' });
    t = await createTestApp();
    f = new Fixtures(t);
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await receiver.close();
  });

  const hook = (tenant: Tenant, path: string) => createWebhook<Hook>(t, tenant, `${receiver.base}${path}`);
  const read = async (tenant: Tenant, id: number) => (await t.http().get(`/webhooks/${id}`).set(tenant.headers).expect(200)).body as Hook;
  const log = async (tenant: Tenant, id: number) =>
    ((await t.http().get(`/webhooks/${id}/deliveries`).set(tenant.headers).expect(200)).body as DeliveryLog).data;
  const createLeads = async (tenant: Tenant, n: number) => {
    for (let i = 0; i < n; i++)
      await t
        .http()
        .post('/leads')
        .set(tenant.headers)
        .send({ firstName: 'Ada', lastName: `L${i}` })
        .expect(201);
  };

  it('holds a failing webhook’s deliveries and new events until the pause ends, goes on for other webhooks, and resumes on a successful ping', async () => {
    const failing = await f.tenant();
    const healthy = await f.tenant();
    const down1 = await hook(failing, '/down');
    const up = await hook(healthy, '/up');

    // Three deliveries fail in a row (500): the webhook pauses for as long as it has been failing, at least the retry base (a minute).
    const before = Date.now();
    await createLeads(failing, 3);
    const paused = await waitFor('the pause', async () => {
      const h = await read(failing, down1.id);
      return h.pausedUntil ? h : null;
    });
    expect(paused.consecutiveFailures).toBe(3);
    expect(Date.parse(paused.failingSince!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(paused.pausedUntil!)).toBeGreaterThanOrEqual(before + 60_000);
    expect(Date.parse(paused.pausedUntil!)).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(received.get('/down')).toEqual(['lead.created', 'lead.created', 'lead.created']);

    // New events of the paused webhook wait for the pause's end, with the failed ones; other webhooks go on.
    await createLeads(failing, 2);
    await createLeads(healthy, 1);
    await waitFor('the healthy delivery', async () => received.get('/up')?.length === 1);
    const waiting = await log(failing, down1.id);
    expect(waiting).toHaveLength(5);
    expect(waiting.map((d) => d.nextAttemptAt)).toEqual(Array(5).fill(paused.pausedUntil));
    expect(waiting.map((d) => d.attempts).sort()).toEqual([0, 0, 1, 1, 1]);
    expect(received.get('/down')).toHaveLength(3);
    expect((await read(healthy, up.id)).consecutiveFailures).toBe(0);

    // The receiver is back: a ping still goes while paused; its success ends the pause and the five go at once.
    down = false;
    await t.http().post(`/webhooks/${down1.id}/test`).set(failing.headers).expect(200);
    await waitFor('the waiting deliveries', async () => received.get('/down')!.length === 3 + 1 + 5);
    expect(received.get('/down')!.slice(3)).toEqual(['ping', ...Array(5).fill('lead.created')]);
    const resumed = await waitFor('the records', async () => {
      const rows = await log(failing, down1.id);
      return rows.filter((d) => d.status === 'delivered').length === 6 ? rows : null;
    });
    expect(resumed.map((d) => d.status)).toEqual(Array(6).fill('delivered'));
    expect(await read(failing, down1.id)).toMatchObject({ consecutiveFailures: 0, failingSince: null, pausedUntil: null });
  });

  it('gives up, when it pauses a webhook, the deliveries left untouched for longer than the whole retry schedule', async () => {
    const tenant = await f.tenant();
    const down2 = await hook(tenant, '/down2');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    // Two deliveries of an event of two days ago, beyond the schedule (a minute doubling over 12 attempts,
    // about 34 hours), not due yet: one queued or attempted last then, one queued now (a redelivery).
    const delivery = (eventId: string, updatedAt: Date) => ({
      accountId: Number(tenant.accountId),
      webhookId: down2.id,
      eventId,
      eventType: 'lead.created',
      leadId: null,
      data: {},
      createdAt: twoDaysAgo,
      status: 'pending' as const,
      attempts: 3,
      nextAttemptAt: new Date(Date.now() + 3_600_000),
      updatedAt,
    });
    await t.tx.run(async (em) => {
      await em.save(em.create(WebhookDelivery, delivery('evt_stale', twoDaysAgo)));
      await em.save(em.create(WebhookDelivery, delivery('evt_redelivered', new Date())));
    });
    await createLeads(tenant, 3);
    const { pausedUntil } = await waitFor('the pause', async () => {
      const h = await read(tenant, down2.id);
      return h.pausedUntil ? h : null;
    });
    const rows = await t.ds.getRepository(WebhookDelivery).find({ where: { webhookId: down2.id }, order: { id: 'ASC' } });
    const redelivered = rows[1].nextAttemptAt!.toISOString();
    expect(Date.parse(redelivered)).toBeGreaterThan(Date.parse(pausedUntil!));
    expect(rows.map((d) => [d.eventId, d.status, d.lastError === GAVE_UP, d.nextAttemptAt?.toISOString() ?? null])).toEqual([
      ['evt_stale', 'failed', true, null],
      // Due after the pause's end already: left as it was.
      ['evt_redelivered', 'pending', false, redelivered],
      ...rows.slice(2).map((d) => [d.eventId, 'pending', false, pausedUntil]),
    ]);
    expect(rows).toHaveLength(5);
  });

  it('starts a paused webhook afresh when its URL changes, and sends what the pause held to the new URL', async () => {
    const tenant = await f.tenant();
    const broken = await hook(tenant, '/down2');
    await createLeads(tenant, 3);
    await waitFor('the pause', async () => (await read(tenant, broken.id)).pausedUntil);
    const before = received.get('/fixed')?.length ?? 0;

    const patched = await t
      .http()
      .patch(`/webhooks/${broken.id}`)
      .set(tenant.headers)
      .send({ url: `${receiver.base}/fixed` })
      .expect(200);
    expect(patched.body).toMatchObject({ url: `${receiver.base}/fixed`, consecutiveFailures: 0, failingSince: null, pausedUntil: null });
    await waitFor('the held deliveries', async () => (received.get('/fixed')?.length ?? 0) === before + 3);
    const rows = await waitFor('their records', async () => {
      const d = await log(tenant, broken.id);
      return d.every((x) => x.status === 'delivered') ? d : null;
    });
    expect(rows).toHaveLength(3);
  });
});
