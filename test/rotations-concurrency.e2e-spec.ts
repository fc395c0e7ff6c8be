import { LeadRotation } from '../src/rotations/entities/lead-rotation.entity';
import { Membership } from '../src/users/entities/membership.entity';
import { Fixtures, Tenant } from './utils/fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

/**
 * Concurrent GET /lead-rotations/{id}/next-user calls take consecutive slots: none is given twice and
 * none is skipped. On PostgreSQL the calls are spread over two application instances sharing the
 * database, as several service instances would be in production.
 */
describe('rotation pointer under concurrency', () => {
  let apps: TestApp[];
  let fx: Fixtures;
  let setup: SetupFixtures;

  beforeAll(async () => {
    const first = await createTestApp();
    apps = first.isPostgres ? [first, await createTestApp()] : [first];
    fx = new Fixtures(first);
    setup = new SetupFixtures(first);
  });
  afterAll(async () => {
    for (const app of [...apps].reverse()) await app.close();
  });

  interface NextUser {
    currentPosition: number;
    newPosition: number;
    currentUser: string | null;
    user: { email: string } | null;
  }

  async function fire(tenant: Tenant, rotationId: number, n: number): Promise<NextUser[]> {
    const responses = await Promise.all(
      Array.from({ length: n }, (_, i) => apps[i % apps.length].http().get(`/lead-rotations/${rotationId}/next-user`).set(tenant.headers)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(n).fill(200));
    return responses.map((r) => r.body as NextUser);
  }

  const tally = <T>(values: T[]) => {
    const m = new Map<T, number>();
    for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
    return m;
  };

  async function repsOf(tenant: Tenant, n: number) {
    const reps = [];
    for (let i = 0; i < n; i++) reps.push(await fx.memberOf(tenant, 'user'));
    return reps;
  }

  const pointerOf = async (id: number) => (await apps[0].ds.getRepository(LeadRotation).findOneByOrFail({ id })).currentPosition;

  it('gives each of 3 users exactly 20 of 60 concurrent picks and brings the pointer back to where it started', async () => {
    const tenant = await fx.tenant();
    const reps = await repsOf(tenant, 3);
    const emails = reps.map((r) => r.user.email);
    const rotation = await setup.rotation(tenant, { emails, currentPosition: 1 });

    const picks = await fire(tenant, rotation.id, 60);

    expect(tally(picks.map((p) => p.currentUser))).toEqual(new Map(emails.map((e) => [e, 20])));
    expect(tally(picks.map((p) => p.currentPosition))).toEqual(new Map([0, 1, 2].map((i) => [i, 20])));
    for (const p of picks) {
      expect(p.user?.email).toBe(emails[p.currentPosition]);
      expect(p.newPosition).toBe((p.currentPosition + 1) % 3);
    }
    await expect(pointerOf(rotation.id)).resolves.toBe(1);
  });

  it('hands out every slot of a longer rotation exactly once', async () => {
    const tenant = await fx.tenant();
    const reps = await repsOf(tenant, 12);
    const emails = reps.map((r) => r.user.email);
    const rotation = await setup.rotation(tenant, { emails, currentPosition: 5 });

    const picks = await fire(tenant, rotation.id, 12);

    expect(picks.map((p) => p.currentPosition).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    await expect(pointerOf(rotation.id)).resolves.toBe(5);
  });

  it('skips a member who was deactivated, sharing the picks between the others', async () => {
    const tenant = await fx.tenant();
    const reps = await repsOf(tenant, 3);
    const emails = reps.map((r) => r.user.email);
    const rotation = await setup.rotation(tenant, { emails });
    await apps[0].tx.run((em) => em.update(Membership, { accountId: tenant.account.id, userId: reps[1].user.id }, { active: false }));

    const picks = await fire(tenant, rotation.id, 60);

    expect(tally(picks.map((p) => p.currentUser))).toEqual(
      new Map([
        [emails[0], 30],
        [emails[2], 30],
      ]),
    );
    for (const p of picks) expect(p.newPosition).toBe((p.currentPosition + 1) % 3);
    await expect(pointerOf(rotation.id)).resolves.toBe(0);
  });
});
