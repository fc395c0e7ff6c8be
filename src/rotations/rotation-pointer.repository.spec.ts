import type { DataSource, EntityManager } from 'typeorm';
import type { Account } from '../accounts/entities/account.entity';
import type { AuditLog } from '../audit/entities/audit-log.entity';
import type { Lead } from '../leads/entities/lead.entity';
import type * as Typeorm from 'typeorm';
import type * as EntitiesModule from '../database/entities';
import type * as SqliteMigrations from '../database/migrations/sqlite';
import type { Team } from '../teams/entities/team.entity';
import type { Membership } from '../users/entities/membership.entity';
import type { User } from '../users/entities/user.entity';
import type { LeadRotation, RotationStatus } from './entities/lead-rotation.entity';
import type * as PointerModule from './rotation-pointer.repository';
import type * as PickModule from './rotation-pick';

/**
 * The pointer repository against a real (in-memory SQLite) database built by the migrations. Entity
 * column types depend on DATABASE_URL when their modules load, so the modules are required only after
 * it has been cleared for this file (a CI job may export it for the PostgreSQL e2e run).
 */
let pointerModule: typeof PointerModule;
let pickModule: typeof PickModule;
let ds: DataSource;
let entities: {
  Account: typeof Account;
  User: typeof User;
  Membership: typeof Membership;
  Team: typeof Team;
  LeadRotation: typeof LeadRotation;
  Lead: typeof Lead;
  AuditLog: typeof AuditLog;
};

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DataSource: DataSourceClass } = require('typeorm') as typeof Typeorm;
  const { ENTITIES } = require('../database/entities') as typeof EntitiesModule;
  const { SQLITE_MIGRATIONS } = require('../database/migrations/sqlite') as typeof SqliteMigrations;
  pointerModule = require('./rotation-pointer.repository') as typeof PointerModule;
  pickModule = require('./rotation-pick') as typeof PickModule;
  entities = {
    Account: require('../accounts/entities/account.entity').Account,
    User: require('../users/entities/user.entity').User,
    Membership: require('../users/entities/membership.entity').Membership,
    Team: require('../teams/entities/team.entity').Team,
    LeadRotation: require('./entities/lead-rotation.entity').LeadRotation,
    Lead: require('../leads/entities/lead.entity').Lead,
    AuditLog: require('../audit/entities/audit-log.entity').AuditLog,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  ds = new DataSourceClass({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: ENTITIES,
    migrations: SQLITE_MIGRATIONS,
    prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
      db.pragma('foreign_keys = ON');
    },
  });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
});

afterAll(async () => {
  await ds?.destroy();
});

describe('nextPick', () => {
  const all = () => true;
  const only =
    (...emails: string[]) =>
    (e: string) =>
      emails.includes(e);

  it('picks the entry at the pointer and moves just past it, wrapping around', () => {
    expect(pickModule.nextPick(['a', 'b', 'c'], 0, all)).toEqual({ pickedPosition: 0, newPosition: 1 });
    expect(pickModule.nextPick(['a', 'b', 'c'], 2, all)).toEqual({ pickedPosition: 2, newPosition: 0 });
  });

  it('skips entries that are not eligible, without moving them', () => {
    expect(pickModule.nextPick(['a', 'b', 'c'], 1, only('a', 'c'))).toEqual({ pickedPosition: 2, newPosition: 0 });
    expect(pickModule.nextPick(['a', 'b', 'c'], 2, only('b'))).toEqual({ pickedPosition: 1, newPosition: 2 });
  });

  it('returns null for an empty list or when nobody is eligible', () => {
    expect(pickModule.nextPick([], 0, all)).toBeNull();
    expect(pickModule.nextPick(['a', 'b'], 1, only())).toBeNull();
  });

  it('treats a pointer outside the list modulo its length', () => {
    expect(pickModule.nextPick(['a', 'b', 'c'], 7, all)).toEqual({ pickedPosition: 1, newPosition: 2 });
  });
});

describe('RotationPointerRepository', () => {
  let service: PointerModule.RotationPointerRepository;
  let seq = 0;
  const tx = <T>(work: (em: EntityManager) => Promise<T>) => ds.transaction(work);

  beforeAll(() => {
    service = new pointerModule.RotationPointerRepository();
  });

  /** An account with users a, b, c (active members) and helpers to build rotations in it. */
  async function world() {
    const n = ++seq;
    return tx(async (em) => {
      const account = await em.save(em.create(entities.Account, { name: `acc${n}`, createdBy: null }));
      const other = await em.save(em.create(entities.Account, { name: `other${n}`, createdBy: null }));
      const users = [];
      for (const name of ['a', 'b', 'c', 'x']) {
        const user = await em.save(em.create(entities.User, { email: `${name}${n}@example.com`, name, passwordHash: null }));
        // x belongs to the other account only.
        await em.save(
          em.create(entities.Membership, { accountId: name === 'x' ? other.id : account.id, userId: user.id, role: 'user' as const }),
        );
        users.push(user);
      }
      const team = await em.save(em.create(entities.Team, { accountId: account.id, name: 'team', createdBy: null, updatedBy: null }));
      const [a, b, c, x] = users.map((u) => u.email);
      return { account, other, team, users, emails: { a, b, c, x } };
    });
  }

  const rotation = (
    accountId: number,
    opts: { emails: string[]; position?: number; teamId?: number | null; name?: string; status?: RotationStatus },
  ): Promise<LeadRotation> =>
    tx((em) => {
      const name = opts.name ?? 'r';
      const teamId = opts.teamId ?? null;
      return em.save(
        em.create(entities.LeadRotation, {
          accountId,
          name,
          teamId,
          isDefault: teamId === null && name === 'default',
          status: opts.status ?? 'active',
          userRotationArray: opts.emails,
          currentPosition: opts.position ?? 0,
          createdBy: null,
          updatedBy: null,
        }),
      );
    });

  const stored = (id: number) => ds.getRepository(entities.LeadRotation).findOneByOrFail({ id });

  it('advances through the list in order, wrapping around, and stores the pointer', async () => {
    const w = await world();
    const r = await rotation(w.account.id, { emails: [w.emails.a, w.emails.b, w.emails.c], position: 1 });
    const picked: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const pick = await tx((em) => service.advanceById(em, w.account.id, r.id));
      picked.push(pick?.user?.email);
    }
    expect(picked).toEqual([w.emails.b, w.emails.c, w.emails.a, w.emails.b]);
    await expect(stored(r.id)).resolves.toMatchObject({ currentPosition: 2 });
  });

  it('reports the picked user, the positions and the rotation after the advance', async () => {
    const w = await world();
    const r = await rotation(w.account.id, { emails: [w.emails.a, w.emails.b], position: 1 });
    const pick = await tx((em) => service.advanceById(em, w.account.id, r.id));
    expect(pick).toEqual({
      rotation: expect.objectContaining({ id: r.id, currentPosition: 0 }),
      user: { id: w.users[1].id, email: w.emails.b, name: 'b' },
      pickedPosition: 1,
      previousPosition: 1,
      newPosition: 0,
    });
  });

  it('gives a user listed twice two turns', async () => {
    const w = await world();
    const r = await rotation(w.account.id, { emails: [w.emails.a, w.emails.a, w.emails.b] });
    const picked = [];
    for (let i = 0; i < 6; i++) picked.push((await tx((em) => service.advanceById(em, w.account.id, r.id)))?.user?.email);
    expect(picked).toEqual([w.emails.a, w.emails.a, w.emails.b, w.emails.a, w.emails.a, w.emails.b]);
  });

  it('skips inactive memberships, inactive users and users of other accounts', async () => {
    const w = await world();
    const r = await rotation(w.account.id, { emails: [w.emails.a, w.emails.x, w.emails.b, w.emails.c] });
    await tx(async (em) => {
      await em.update(entities.Membership, { accountId: w.account.id, userId: w.users[0].id }, { active: false });
      await em.update(entities.User, { id: w.users[1].id }, { active: false });
    });
    const pick = await tx((em) => service.advanceById(em, w.account.id, r.id));
    expect(pick).toMatchObject({ user: { email: w.emails.c }, pickedPosition: 3, previousPosition: 0, newPosition: 0 });
  });

  it('leaves the pointer and answers no user when nobody is eligible or the list is empty', async () => {
    const w = await world();
    const r = await rotation(w.account.id, { emails: [w.emails.x], position: 0 });
    const before = await stored(r.id);
    await expect(tx((em) => service.advanceById(em, w.account.id, r.id))).resolves.toMatchObject({
      user: null,
      pickedPosition: null,
      previousPosition: 0,
      newPosition: 0,
    });
    const empty = await rotation(w.account.id, { emails: [], status: 'queued' });
    await expect(tx((em) => service.advanceById(em, w.account.id, empty.id))).resolves.toMatchObject({ user: null, newPosition: 0 });
    await expect(stored(r.id)).resolves.toEqual(before);
  });

  it('does not touch updatedAt or updatedBy when it moves the pointer', async () => {
    const w = await world();
    const r = await rotation(w.account.id, { emails: [w.emails.a, w.emails.b] });
    await tx((em) =>
      em.update(entities.LeadRotation, { id: r.id }, { updatedAt: new Date('2020-01-02T03:04:05.000Z'), updatedBy: 'x@y.z' }),
    );
    await tx((em) => service.advanceById(em, w.account.id, r.id));
    await expect(stored(r.id)).resolves.toMatchObject({
      currentPosition: 1,
      updatedAt: new Date('2020-01-02T03:04:05.000Z'),
      updatedBy: 'x@y.z',
    });
  });

  it('answers null for a rotation of another account and leaves it alone', async () => {
    const w = await world();
    const r = await rotation(w.other.id, { emails: [w.emails.x] });
    await expect(tx((em) => service.advanceById(em, w.account.id, r.id))).resolves.toBeNull();
    await expect(stored(r.id)).resolves.toMatchObject({ currentPosition: 0 });
  });

  describe('advanceForNewLead', () => {
    it("uses the team's active rotation and moves its pointer", async () => {
      const w = await world();
      await rotation(w.account.id, { name: 'default', emails: [w.emails.a] });
      await rotation(w.account.id, { teamId: w.team.id, emails: [w.emails.b], status: 'archived' });
      const teamRotation = await rotation(w.account.id, { teamId: w.team.id, emails: [w.emails.c, w.emails.a] });
      const pick = await tx((em) => service.advanceForNewLead(em, w.account.id, w.team.id));
      expect(pick).toMatchObject({ rotation: { id: teamRotation.id }, user: { email: w.emails.c }, pickedPosition: 0, newPosition: 1 });
      await expect(stored(teamRotation.id)).resolves.toMatchObject({ currentPosition: 1 });
    });

    it('falls back to the active default when the team has no active rotation, or there is no team', async () => {
      const w = await world();
      await rotation(w.account.id, { teamId: w.team.id, emails: [w.emails.b], status: 'queued' });
      await rotation(w.account.id, { name: 'other', emails: [w.emails.b] });
      await rotation(w.account.id, { name: 'default', emails: [w.emails.b], status: 'archived' });
      const fallback = await rotation(w.account.id, { name: 'default', emails: [w.emails.a, w.emails.c] });
      await expect(tx((em) => service.advanceForNewLead(em, w.account.id, w.team.id))).resolves.toMatchObject({
        rotation: { id: fallback.id },
        user: { email: w.emails.a },
      });
      await expect(tx((em) => service.advanceForNewLead(em, w.account.id, null))).resolves.toMatchObject({
        rotation: { id: fallback.id },
        user: { email: w.emails.c },
      });
    });

    it('reports a rotation with nobody eligible and leaves its pointer', async () => {
      const w = await world();
      const r = await rotation(w.account.id, { name: 'default', emails: [w.emails.x, w.emails.x], position: 1 });
      await expect(tx((em) => service.advanceForNewLead(em, w.account.id, null))).resolves.toMatchObject({
        rotation: { id: r.id },
        user: null,
        pickedPosition: null,
      });
      await expect(stored(r.id)).resolves.toMatchObject({ currentPosition: 1 });
    });

    it('answers null when no rotation applies, ignoring other accounts', async () => {
      const w = await world();
      const foreign = await rotation(w.other.id, { name: 'default', emails: [w.emails.x, w.emails.x] });
      await rotation(w.account.id, { name: 'not default', emails: [w.emails.a] });
      await expect(tx((em) => service.advanceForNewLead(em, w.account.id, null))).resolves.toBeNull();
      await expect(tx((em) => service.advanceForNewLead(em, w.account.id, w.team.id))).resolves.toBeNull();
      await expect(stored(foreign.id)).resolves.toMatchObject({ currentPosition: 0 });
    });
  });
});
