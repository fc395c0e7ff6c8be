import { ServerResponse } from 'node:http';
import { WebhookDelivery } from '../src/webhooks/entities/webhook-delivery.entity';
import { Webhook } from '../src/webhooks/entities/webhook.entity';
import { WebhooksRepository } from '../src/webhooks/webhooks.repository';
import { Fixtures, Tenant } from './utils/fixtures';
import { createTestApp, TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';
import { createWebhook, setEnv, startReceiver } from './utils/webhook-fixtures';

describe('a failing webhook gets one delivery at a time', () => {
  let t: TestApp;
  let f: Fixtures;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let restoreEnv: () => void;
  /** Requests received per path, in order; `/hang` answers its first 500 and then never. */
  const received = new Map<string, number>();
  const hanging: ServerResponse[] = [];

  beforeAll(async () => {
    receiver = await startReceiver((req, res) => {
      req.resume();
      req.on('end', () => {
        const n = (received.get(req.url!) ?? 0) + 1;
        received.set(req.url!, n);
        if (req.url === '/hang' && n > 1) return hanging.push(res);
        res.statusCode = req.url === '/hang' ? 500 : 200;
        res.end();
      });
    });
    // Two slots; a failed delivery's own retry after a minute, and no pause: only the claim's rule acts.
    restoreEnv = setEnv({
      WEBHOOK_WORKERS: '2',
      WEBHOOK_TIMEOUT_MS: '5000',
      WEBHOOK_RETRY_BASE_MS: '60000',
      WEBHOOK_PAUSE_AFTER_FAILURES: '0',
    });
    t = await createTestApp();
    f = new Fixtures(t);
  });
  afterAll(async () => {
    for (const res of hanging) res.end();
    restoreEnv();
    await t.close();
    await receiver.close();
  });

  const hook = (tenant: Tenant, path: string) => createWebhook(t, tenant, `${receiver.base}${path}`);
  const createLead = (tenant: Tenant) =>
    t.http().post('/leads').set(tenant.headers).send({ firstName: 'Ada', lastName: 'Lovelace' }).expect(201);

  it('claims of a failing webhook its oldest due delivery only, and none while this instance has one in flight', async () => {
    const repo = t.app.get(WebhooksRepository);
    const failing = await f.tenant();
    const healthy = await f.tenant();
    const [bad, good] = [await hook(failing, '/never'), await hook(healthy, '/never')];
    await t.ds.getRepository(Webhook).update(bad.id, { consecutiveFailures: 2 });
    // Due a day from now, so the running worker never sees them: this test's claims pass that time.
    const later = Date.now() + 86_400_000;
    const due = async (tenant: Tenant, webhookId: number, minutes: number) =>
      (
        await t.tx.run((em) =>
          em.getRepository(WebhookDelivery).save({
            accountId: Number(tenant.accountId),
            webhookId,
            eventId: `evt_${webhookId}_${minutes}`,
            eventType: 'lead.created',
            leadId: null,
            data: {},
            createdAt: new Date(),
            status: 'pending' as const,
            attempts: 0,
            nextAttemptAt: new Date(later + minutes * 60_000),
            updatedAt: new Date(),
          }),
        )
      ).id;
    const badIds = [await due(failing, bad.id, 1), await due(failing, bad.id, 2), await due(failing, bad.id, 3)];
    const goodIds = [await due(healthy, good.id, 4), await due(healthy, good.id, 5)];
    const now = new Date(later + 10 * 60_000);
    const lease = new Date(later + 20 * 60_000);
    // Only this test's deliveries count: others left pending by earlier files (due long before) are
    // claimed too.
    const mine = new Set([...badIds, ...goodIds].map(Number));
    const claim = async (inFlight: number[]) =>
      (await repo.claimDue(t.ds.manager, now, lease, 1000, inFlight))
        .map((c) => Number(c.delivery.id))
        .filter((id) => mine.has(id))
        .sort((a, b) => a - b);

    await expect(claim([])).resolves.toEqual([badIds[0], ...goodIds].map(Number).sort((a, b) => a - b));
    await expect(claim([bad.id])).resolves.toEqual([]);
    await expect(claim([good.id])).resolves.toEqual([Number(badIds[1])]);
    const left = await t.ds.getRepository(WebhookDelivery).findOneByOrFail({ id: badIds[2] });
    expect(left).toMatchObject({ attempts: 0, nextAttemptAt: new Date(later + 3 * 60_000) });
  });

  it('goes on delivering for other webhooks while a failing receiver hangs', async () => {
    const failing = await f.tenant();
    const healthy = await f.tenant();
    const bad = await hook(failing, '/hang');
    await hook(healthy, '/up');
    // The first delivery fails (500): the webhook is in a run of failures.
    await createLead(failing);
    await waitFor(
      'the failure recorded',
      async () => (await t.ds.getRepository(Webhook).findOneByOrFail({ id: bad.id })).consecutiveFailures === 1,
    );

    // Three more events for it, then two for a healthy webhook: with both slots free, the failing
    // webhook takes one (which hangs) and the healthy one's events go through the other.
    for (let i = 0; i < 3; i++) await createLead(failing);
    await createLead(healthy);
    await createLead(healthy);
    await waitFor('the healthy deliveries', () => received.get('/up') === 2, 4000);
    expect(received.get('/hang')).toBe(2);
    const waiting = await t.ds.getRepository(WebhookDelivery).find({ where: { webhookId: bad.id, attempts: 0 } });
    expect(waiting).toHaveLength(2);
  });
});
