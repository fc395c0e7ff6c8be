import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { BootstrapConfig } from '../config/configuration';
import { advisoryLock } from '../database/locking';
import { TransactionService } from '../database/transaction.service';
import { AuthRepository } from './auth.repository';
import { PasswordService } from './password.service';
import { normalizeEmail } from '../common/email';

/** Key of the PostgreSQL advisory lock that serializes bootstrap across instances ("LEADBOOT"). */
export const BOOTSTRAP_LOCK_KEY = 0x4c454144424f4f54n.toString();

/**
 * With BOOTSTRAP_ADMIN_EMAIL/PASSWORD set and no users in the database, creates a platform admin
 * (superAdmin) and an account they administer. Instances starting together on one PostgreSQL
 * serialize on an advisory lock and re-check under it, so exactly one creates them.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    @InjectAppConfig() private readonly config: AppConfigType,
    private readonly tx: TransactionService,
    private readonly auth: AuthRepository,
    private readonly accounts: AccountsRepository,
    private readonly passwords: PasswordService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.bootstrap) await this.run(this.config.bootstrap);
  }

  /** True when this call created the admin. */
  async run(settings: BootstrapConfig): Promise<boolean> {
    if (await this.auth.anyUserExists(this.tx.manager)) return false;
    const passwordHash = await this.passwords.hash(settings.password);
    const email = normalizeEmail(settings.email);
    let created: { accountId: number } | null;
    try {
      created = await this.tx.run(async (em) => {
        await advisoryLock(em, BOOTSTRAP_LOCK_KEY);
        if (await this.auth.anyUserExists(em)) return null;
        const user = await this.auth.insertUser(em, { email, name: null, passwordHash, isSuperAdmin: true });
        const account = await this.accounts.insertAccount(em, settings.accountName, email);
        await this.accounts.insertMembership(em, {
          accountId: account.id,
          userId: user.id,
          role: 'admin',
          isPrimary: true,
          createdBy: email,
        });
        return { accountId: account.id };
      });
    } catch (e) {
      // Another process on the same SQLite file can win the race (its lock is per process): then
      // users exist and there is nothing left to do.
      if (await this.auth.anyUserExists(this.tx.manager)) return false;
      throw e;
    }
    if (!created) return false;
    this.logger.log(`Created platform admin ${email} and account "${settings.accountName}" (id ${created.accountId})`);
    return true;
  }
}
