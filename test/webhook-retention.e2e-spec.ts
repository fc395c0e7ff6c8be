import { WebhookAttempt } from '../src/webhooks/entities/webhook-attempt.entity';
import { DeliveryStatus, WebhookDelivery } from '../src/webhooks/entities/webhook-delivery.entity';
import { WebhookRetentionService } from '../src/webhooks/webhook-retention.service';
import { Fixtures } from './utils/fixtures';
import { createTestApp, TestApp } from './utils/test-app';
import { setEnv } from './utils/webhook-fixtures';

const DAY_MS = 86_400_000;

describe('webhook deliveries retention', () => {
  let t: TestApp;
  let f: Fixtures;
  let restoreEnv: () => void;
  beforeAll(async () => {
    // Nothing claims the pending rows this test writes.
    restoreEnv = setEnv({ WEBHOOK_WORKERS: '0', WEBHOOK_DELIVERY_RETENTION_DAYS: '30' });
    t = await createTestApp();
    f = new Fixtures(t);
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
  });

  it('deletes delivered and failed deliveries finished longer than WEBHOOK_DELIVERY_RETENTION_DAYS ago with their attempts, and keeps pending and newer ones', async () => {
    const tenant = await f.tenant();
    const hook = (
      await t
        .http()
        .post('/webhooks')
        .set(tenant.headers)
        .send({ url: 'https://hooks.example.com/leads', events: ['lead.created'] })
        .expect(201)
    ).body as { id: number };
    const now = Date.now();
    const delivery = (name: string, status: DeliveryStatus, ageDays: number, lastActiveDays = ageDays) => ({
      accountId: Number(tenant.accountId),
      webhookId: hook.id,
      eventId: `evt_${name}`,
      eventType: 'lead.created',
      leadId: null,
      data: { name },
      createdAt: new Date(now - ageDays * DAY_MS),
      status,
      attempts: 1,
      nextAttemptAt: status === 'pending' ? new Date(now) : null,
      updatedAt: new Date(now - lastActiveDays * DAY_MS),
    });
    const rows = [
      delivery('old-delivered', 'delivered', 31),
      delivery('old-failed', 'failed', 40),
      delivery('old-pending', 'pending', 45),
      delivery('new-delivered', 'delivered', 29),
      delivery('new-failed', 'failed', 1),
      // A redelivery of an event of 40 days ago, delivered yesterday.
      delivery('old-redelivered', 'delivered', 40, 1),
    ];
    await t.tx.run(async (em) => {
      for (const row of rows) {
        const saved = await em.save(em.create(WebhookDelivery, row));
        await em.insert(WebhookAttempt, {
          accountId: Number(tenant.accountId),
          deliveryId: saved.id,
          attempt: 1,
          statusCode: row.status === 'delivered' ? 200 : 500,
          error: null,
          durationMs: 3,
          createdAt: row.createdAt,
        });
      }
    });
    const deliveries = t.ds.getRepository(WebhookDelivery);
    const expired = await deliveries
      .createQueryBuilder('d')
      .where('d.updatedAt < :cutoff AND d.status <> :pending', { cutoff: new Date(now - 30 * DAY_MS), pending: 'pending' })
      .getCount();

    await expect(t.app.get(WebhookRetentionService).purge(new Date(now))).resolves.toBe(expired);

    const left = await deliveries.find({ where: { webhookId: hook.id }, order: { id: 'ASC' } });
    expect(left.map((d) => d.eventId)).toEqual(['evt_old-pending', 'evt_new-delivered', 'evt_new-failed', 'evt_old-redelivered']);
    const attempts = await t.ds
      .getRepository(WebhookAttempt)
      .find({ where: { accountId: Number(tenant.accountId) }, order: { id: 'ASC' } });
    expect(attempts.map((a) => String(a.deliveryId))).toEqual(left.map((d) => String(d.id)));
    // The deliveries log shows what is left.
    const log = await t.http().get(`/webhooks/${hook.id}/deliveries`).set(tenant.headers).expect(200);
    expect((log.body as { data: { eventId: string }[] }).data.map((d) => d.eventId).sort()).toEqual([
      'evt_new-delivered',
      'evt_new-failed',
      'evt_old-pending',
      'evt_old-redelivered',
    ]);
  });
});
