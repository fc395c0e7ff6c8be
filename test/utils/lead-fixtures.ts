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

  async deactivateMembership(tenant: Tenant, userId: number): Promise<void> {
    await this.t.tx.run((em) => em.update(Membership, { accountId: tenant.account.id, userId }, { active: false }));
  }

  async deactivateUser(userId: number): Promise<void> {
    await this.t.tx.run((em) => em.update(User, { id: userId }, { active: false }));
  }
}
