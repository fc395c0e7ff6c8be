import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Account } from '../accounts/entities/account.entity';
import { BOOTSTRAP_LOCK_KEY } from '../auth/bootstrap.service';
import { PasswordService } from '../auth/password.service';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { advisoryLock } from '../database/locking';
import { reserveNextId } from '../database/sequences';
import { TransactionService } from '../database/transaction.service';
import { LeadSource } from '../lead-sources/entities/lead-source.entity';
import { LeadRotation } from '../rotations/entities/lead-rotation.entity';
import { TeamMember } from '../teams/entities/team-member.entity';
import { Team } from '../teams/entities/team.entity';
import { Membership } from '../users/entities/membership.entity';
import { User } from '../users/entities/user.entity';

import { DEMO_ACCOUNT_ID, DEMO_ADMIN, DEMO_REPS } from './demo-credentials';

export { DEMO_ADMIN };

export interface DemoData {
  accountId: number;
  teamId: number;
  leadSourceId: number;
}

/**
 * In development, a fresh empty database with no bootstrap settings gets a small demo account (id
 * 2311, the x-account-id example of /docs; an admin, three reps, a team with two lead sources, a team rotation and a default rotation), and the
 * log says how to log in and prints a `curl` for POST /leads that works as printed.
 */
@Injectable()
export class DemoDataService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoData');

  constructor(
    @InjectAppConfig() private readonly config: AppConfigType,
    private readonly tx: TransactionService,
    private readonly passwords: PasswordService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoData || this.config.isProduction || this.config.bootstrap) return;
    const demo = await this.seed();
    if (!demo) return;
    this.logger.log(`Demo data created in account ${demo.accountId}: log in as ${DEMO_ADMIN.email} (commands on standard output)`);
    // Plain lines, not a log record: a log line's suffix would break the commands when copied.
    process.stdout.write(`\n${this.instructions(demo, `http://localhost:${this.config.port}`)}\n\n`);
  }

  /** Creates the demo data when the database has no users; null when it already had some. */
  async seed(): Promise<DemoData | null> {
    if ((await this.tx.manager.count(User)) > 0) return null;
    const passwordHash = await this.passwords.hash(DEMO_ADMIN.password);
    return this.tx.run(async (em) => {
      await advisoryLock(em, BOOTSTRAP_LOCK_KEY);
      if ((await em.count(User)) > 0) return null;
      await reserveNextId(em, 'accounts', DEMO_ACCOUNT_ID);
      const account = await em.save(em.create(Account, { name: 'Demo Sales', createdBy: DEMO_ADMIN.email }));
      const admin = await this.user(em, account, DEMO_ADMIN.email, 'Demo Admin', passwordHash, 'admin');
      const reps: User[] = [];
      for (const email of DEMO_REPS) reps.push(await this.user(em, account, email, email.split('@')[0], passwordHash, 'user'));
      const stamp = { accountId: account.id, createdBy: admin.email, updatedBy: admin.email };
      const team = await em.save(em.create(Team, { ...stamp, name: 'Inbound', active: true }));
      await em.insert(
        TeamMember,
        reps.map((r, position) => ({ teamId: team.id, userId: r.id, position })),
      );
      const website = await em.save(em.create(LeadSource, { ...stamp, teamId: team.id, name: 'Website form', active: true }));
      await em.save(em.create(LeadSource, { ...stamp, teamId: team.id, name: 'Webinar', active: true }));
      await em.save(
        em.create(LeadRotation, {
          ...stamp,
          name: 'Inbound rotation',
          isDefault: false,
          status: 'active',
          teamId: team.id,
          userRotationArray: [...DEMO_REPS],
          currentPosition: 0,
        }),
      );
      await em.save(
        em.create(LeadRotation, {
          ...stamp,
          name: 'default',
          isDefault: true,
          status: 'active',
          teamId: null,
          userRotationArray: [DEMO_REPS[0], DEMO_REPS[1]],
          currentPosition: 0,
        }),
      );
      return { accountId: account.id, teamId: team.id, leadSourceId: website.id };
    });
  }

  instructions(demo: DemoData, base: string): string {
    return [
      `Demo data created: account "Demo Sales" (id ${demo.accountId}), admin ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}, reps ${DEMO_REPS.join(', ')}.`,
      'Log in and create a lead (it is assigned by the "Inbound rotation"):',
      `  TOKEN=$(curl -s -X POST ${base}/auth/login -H 'content-type: application/json' -d '{"email":"${DEMO_ADMIN.email}","password":"${DEMO_ADMIN.password}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')`,
      `  curl -s -X POST ${base}/leads -H "Authorization: Bearer $TOKEN" -H 'x-account-id: ${demo.accountId}' -H 'content-type: application/json' -d '{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","teamId":${demo.teamId},"leadSourceId":${demo.leadSourceId}}'`,
    ].join('\n');
  }

  private async user(em: EntityManager, account: Account, email: string, name: string, passwordHash: string, role: 'admin' | 'user') {
    const user = await em.save(em.create(User, { email, name, passwordHash, active: true, isSuperAdmin: false }));
    await em.save(
      em.create(Membership, {
        accountId: account.id,
        userId: user.id,
        role,
        active: true,
        isPrimary: true,
        createdBy: DEMO_ADMIN.email,
        updatedBy: null,
      }),
    );
    return user;
  }
}
