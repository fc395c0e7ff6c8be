import { Fixtures, Tenant } from './utils/fixtures';
import { LeadFixtures } from './utils/lead-fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

type Policy = 'allow' | 'reject' | 'return_existing';

const duplicate = (leadId: number) => ({
  error: 'duplicate lead',
  details: [{ field: 'email', message: `lead ${leadId} of this account already has this email`, leadId }],
});

describe('Duplicate leads (§8)', () => {
  let t: TestApp;
  let f: Fixtures;
  let setup: SetupFixtures;
  let leads: LeadFixtures;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
    setup = new SetupFixtures(t);
    leads = new LeadFixtures(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (tenant: Tenant, body: object, query = '') => t.http().post(`/leads${query}`).set(tenant.headers).send(body);
  const setPolicy = async (tenant: Tenant, duplicateLeadPolicy: Policy) => {
    const res = await t.http().patch(`/accounts/${tenant.accountId}`).set(tenant.headers).send({ duplicateLeadPolicy }).expect(200);
    expect(res.body.duplicateLeadPolicy).toBe(duplicateLeadPolicy);
  };
  /** A tenant whose leads go through a rotation of two reps, so a moved pointer would show. */
  const routedTenant = async (policy: Policy) => {
    const tenant = await f.tenant();
    const reps = [await f.memberOf(tenant), await f.memberOf(tenant)];
    const rotation = await setup.rotation(tenant, { name: 'default', emails: reps.map((r) => r.user.email) });
    await setPolicy(tenant, policy);
    return { tenant, rotation };
  };

  describe('the account setting', () => {
    it('is allow until an admin changes it, is listed with the account, and refuses unknown values', async () => {
      const tenant = await f.tenant();
      const before = await t.http().get('/accounts').set(tenant.admin.auth).expect(200);
      expect(before.body.find((a: { accountId: string }) => a.accountId === tenant.accountId).duplicateLeadPolicy).toBe('allow');
      const bad = await t
        .http()
        .patch(`/accounts/${tenant.accountId}`)
        .set(tenant.headers)
        .send({ duplicateLeadPolicy: 'merge' })
        .expect(400);
      expect(bad.body).toEqual({
        error: 'Validation failed',
        message: 'duplicateLeadPolicy must be one of allow, reject, return_existing',
        details: [{ field: 'duplicateLeadPolicy', message: 'duplicateLeadPolicy must be one of allow, reject, return_existing' }],
      });
      const member = await f.memberOf(tenant, 'user');
      await t
        .http()
        .patch(`/accounts/${tenant.accountId}`)
        .set(tenant.headersFor(member))
        .send({ duplicateLeadPolicy: 'reject' })
        .expect(403);
      await setPolicy(tenant, 'reject');
      const after = await t.http().get('/accounts').set(tenant.admin.auth).expect(200);
      expect(after.body.find((a: { accountId: string }) => a.accountId === tenant.accountId).duplicateLeadPolicy).toBe('reject');
    });

    it('allow (the default) creates a second lead with the same email', async () => {
      const tenant = await f.tenant();
      const first = await post(tenant, { firstName: 'Ada', lastName: 'L', email: 'ada@example.com' }).expect(201);
      const second = await post(tenant, { firstName: 'Ada', lastName: 'L', email: 'ada@example.com' }).expect(201);
      expect(second.body.id).not.toBe(first.body.id);
      await expect(leads.count(tenant)).resolves.toBe(2);
    });
  });

  describe('reject', () => {
    it('answers 409 naming the existing lead for the same email in any case and spacing; nothing is created, no rotation moves', async () => {
      const { tenant, rotation } = await routedTenant('reject');
      const first = await post(tenant, { firstName: 'Ada', lastName: 'L', email: 'Ada@Example.com' }).expect(201);
      await expect(leads.pointer(rotation)).resolves.toBe(1);
      const again = await post(tenant, { firstName: 'Other', lastName: 'Name', email: '  ada@EXAMPLE.com ' }).expect(409);
      expect(again.body).toEqual(duplicate(first.body.id));
      await expect(leads.count(tenant)).resolves.toBe(1);
      await expect(leads.pointer(rotation)).resolves.toBe(1);
      const entries = await leads.audit(tenant, { requestMethod: 'POST' });
      expect(entries.map((e) => [e.event, e.statusCode, e.leadId])).toEqual([
        ['lead_created', 201, first.body.id],
        ['request_rejected', 409, first.body.id],
      ]);
    });

    it('folds every letter, not only ASCII, on both databases, and follows an email changed by PATCH', async () => {
      const { tenant } = await routedTenant('reject');
      const first = await post(tenant, { firstName: 'Élodie', lastName: 'D', email: 'ÉLODIE.Ørsted@Example.com' }).expect(201);
      const again = await post(tenant, { firstName: 'Other', lastName: 'Name', email: 'élodie.ørsted@example.COM' }).expect(409);
      expect(again.body).toEqual(duplicate(first.body.id));
      await t.http().patch(`/leads/${first.body.id}`).set(tenant.headers).send({ email: 'Zoë@Example.com' }).expect(200);
      // The old address is free again; the new one is taken, in any case.
      const freed = await post(tenant, { firstName: 'Élodie', lastName: 'D', email: 'élodie.ørsted@example.com' }).expect(201);
      const taken = await post(tenant, { firstName: 'Zoe', lastName: 'Z', email: ' ZOË@EXAMPLE.COM' }).expect(409);
      expect(taken.body).toEqual(duplicate(first.body.id));
      await expect(leads.count(tenant)).resolves.toBe(2);
      expect(freed.body.email).toBe('élodie.ørsted@example.com');
    });

    it('never matches archived leads, leads without an email, or another account’s', async () => {
      const { tenant } = await routedTenant('reject');
      const archived = await post(tenant, { firstName: 'A', lastName: 'B', email: 'gone@example.com' }).expect(201);
      await t.http().post(`/leads/${archived.body.id}/archive`).set(tenant.headers).expect(200);
      await post(tenant, { firstName: 'A', lastName: 'B', email: 'gone@example.com' }).expect(201);
      await post(tenant, { firstName: 'No', lastName: 'Email' }).expect(201);
      await post(tenant, { firstName: 'No', lastName: 'Email', email: '  ' }).expect(201);
      const other = await f.tenant();
      await setPolicy(other, 'reject');
      await post(other, { firstName: 'A', lastName: 'B', email: 'gone@example.com' }).expect(201);
      await expect(leads.count(tenant)).resolves.toBe(4);
    });
  });

  describe('return_existing', () => {
    it('answers 200 with the existing lead and its auditLog, and Duplicate-Of; nothing is created, no rotation moves', async () => {
      const { tenant, rotation } = await routedTenant('return_existing');
      const first = await post(tenant, { firstName: 'Ada', lastName: 'L', email: 'ada@example.com' }).expect(201);
      const again = await post(tenant, { firstName: 'Ada', lastName: 'Again', email: 'ADA@example.com' }).expect(200);
      expect(again.headers['duplicate-of']).toBe(String(first.body.id));
      const stored = await t.http().get(`/leads/${first.body.id}`).set(tenant.headers).expect(200);
      expect(again.body).toEqual(stored.body);
      await expect(leads.count(tenant)).resolves.toBe(1);
      await expect(leads.pointer(rotation)).resolves.toBe(1);
    });

    it('replays the 200 for a repeated Idempotency-Key', async () => {
      const { tenant } = await routedTenant('return_existing');
      const first = await post(tenant, { firstName: 'Ada', lastName: 'L', email: 'ada@example.com' }).expect(201);
      const send = () => post(tenant, { firstName: 'Ada', lastName: 'L', email: 'ada@example.com' }).set('Idempotency-Key', 'dup-1');
      const answered = await send().expect(200);
      const replayed = await send().expect(200);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body).toEqual(answered.body);
      expect(answered.body.id).toBe(first.body.id);
      await expect(leads.count(tenant)).resolves.toBe(1);
    });
  });

  describe('?onDuplicate=', () => {
    it('overrides the account’s policy for one request, and refuses unknown values', async () => {
      const { tenant } = await routedTenant('reject');
      const first = await post(tenant, { firstName: 'A', lastName: 'B', email: 'x@example.com' }).expect(201);
      await post(tenant, { firstName: 'A', lastName: 'B', email: 'x@example.com' }, '?onDuplicate=allow').expect(201);
      const existing = await post(tenant, { firstName: 'A', lastName: 'B', email: 'x@example.com' }, '?onDuplicate=return_existing').expect(
        200,
      );
      expect(existing.body.id).toBe(first.body.id);

      const open = await f.tenant();
      const kept = await post(open, { firstName: 'A', lastName: 'B', email: 'y@example.com' }).expect(201);
      const refused = await post(open, { firstName: 'A', lastName: 'B', email: 'y@example.com' }, '?onDuplicate=reject').expect(409);
      expect(refused.body).toEqual(duplicate(kept.body.id));

      const bad = await post(open, { firstName: 'A', lastName: 'B', email: 'y@example.com' }, '?onDuplicate=merge').expect(400);
      expect(bad.body.details).toEqual([{ field: 'onDuplicate', message: 'onDuplicate must be one of allow, reject, return_existing' }]);
      await expect(leads.count(open)).resolves.toBe(1);
    });
  });

  describe('under concurrency', () => {
    it.each([
      ['reject', 409],
      ['return_existing', 200],
    ] as const)('%s: 20 concurrent creates of one new email give exactly one 201', async (policy, otherStatus) => {
      const { tenant, rotation } = await routedTenant(policy);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(tenant, { firstName: `N${i}`, lastName: 'Race', email: i % 2 ? 'race@example.com' : 'RACE@example.com ' }),
        ),
      );
      const created = results.filter((r) => r.status === 201);
      expect(created).toHaveLength(1);
      const id = created[0].body.id;
      const others = results.filter((r) => r.status !== 201);
      expect(others.map((r) => r.status)).toEqual(Array(19).fill(otherStatus));
      if (policy === 'reject') for (const r of others) expect(r.body).toEqual(duplicate(id));
      else for (const r of others) expect([r.body.id, r.headers['duplicate-of']]).toEqual([id, String(id)]);
      await expect(leads.count(tenant)).resolves.toBe(1);
      await expect(leads.pointer(rotation)).resolves.toBe(1);
    });
  });
});
