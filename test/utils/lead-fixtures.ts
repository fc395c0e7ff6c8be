import { FindOptionsWhere } from 'typeorm';
import { AuditLog } from '../../src/audit/entities/audit-log.entity';
import { Lead } from '../../src/leads/entities/lead.entity';
import { LeadRotation } from '../../src/rotations/entities/lead-rotation.entity';
import { Membership } from '../../src/users/entities/membership.entity';
import { User } from '../../src/users/entities/user.entity';
import { Tenant } from './fixtures';
import { TestApp } from './test-app';

/** Leads written straight to the database (for list tests that need exact timestamps), and look-ups. */
export class LeadFixtures {
  constructor(private readonly t: TestApp) {}

  /** A lead with the given values; timestamps default to now, strings to the service's null. */
  async lead(tenant: Tenant, values: Partial<Lead> = {}): Promise<Lead> {
    const now = new Date();
    return this.t.tx.run((em) =>
      em.save(
        em.create(Lead, {
          accountId: tenant.account.id,
          teamId: null,
          leadSourceId: null,
          applicationId: null,
          firstName: 'First',
          lastName: 'Last',
          archived: false,
          createdBy: tenant.admin.user.email,
          updatedBy: tenant.admin.user.email,
          createdAt: now,
          updatedAt: now,
          ...values,
        }),
      ),
    );
  }

  row(id: number): Promise<Lead | null> {
    return this.t.ds.getRepository(Lead).findOne({ where: { id } });
  }

  count(tenant: Tenant): Promise<number> {
    return this.t.ds.getRepository(Lead).count({ where: { accountId: tenant.account.id } });
  }

  async pointer(rotation: LeadRotation): Promise<number> {
    const r = await this.t.ds.getRepository(LeadRotation).findOneOrFail({ where: { id: rotation.id } });
    return r.currentPosition;
  }

  /** Audit entries of the account (after flushing the queue), oldest first. */
  async audit(tenant: Tenant, where: FindOptionsWhere<AuditLog> = {}): Promise<AuditLog[]> {
    await this.t.flushAudit();
    return this.t.ds.getRepository(AuditLog).find({ where: { accountId: tenant.account.id, ...where }, order: { id: 'ASC' } });
  }

  /**
   * Makes the database itself refuse writes to `table` (a trigger raising an error, on both
   * databases) for the rows matching `when`, until the returned function is called: a failure in the
   * middle of a use case's writes, wherever the service issues them.
   */
  async failWrites(
    table: 'audit_logs' | 'lead_rotations' | 'leads' | 'webhook_deliveries',
    op: 'INSERT' | 'UPDATE',
    when = 'true',
  ): Promise<() => Promise<void>> {
    const name = `test_fail_${table}`;
    if (this.t.isPostgres) {
      await this.t.ds.query(
        `CREATE OR REPLACE FUNCTION test_fail_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
      );
      await this.t.ds.query(
        `CREATE TRIGGER ${name} BEFORE ${op} ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION test_fail_write()`,
      );
      return async () => void (await this.t.ds.query(`DROP TRIGGER ${name} ON ${table}`));
    }
    await this.t.tx.run((em) =>
      em.query(`CREATE TRIGGER ${name} BEFORE ${op} ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`),
    );
    return async () => void (await this.t.tx.run((em) => em.query(`DROP TRIGGER ${name}`)));
  }

  async deactivateMembership(tenant: Tenant, userId: number): Promise<void> {
    await this.t.tx.run((em) => em.update(Membership, { accountId: tenant.account.id, userId }, { active: false }));
  }

  async deactivateUser(userId: number): Promise<void> {
    await this.t.tx.run((em) => em.update(User, { id: userId }, { active: false }));
  }
}
