import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AppConfigType } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { AuthRepository } from './auth.repository';
import { BOOTSTRAP_LOCK_KEY, BootstrapService } from './bootstrap.service';
import { PasswordService } from './password.service';

const SETTINGS = { email: 'Boot@Example.com', password: 'bootstrap-password', accountName: 'Head office' };

describe('BootstrapService', () => {
  let em: { query: jest.Mock; connection: { options: { type: string } } };
  let tx: { run: jest.Mock; manager: EntityManager };
  let auth: { anyUserExists: jest.Mock; insertUser: jest.Mock };
  let accounts: { insertAccount: jest.Mock; insertMembership: jest.Mock };
  let passwords: { hash: jest.Mock };
  let log: jest.SpyInstance;

  const make = (bootstrap: typeof SETTINGS | null = SETTINGS) =>
    new BootstrapService(
      { bootstrap } as AppConfigType,
      tx as unknown as TransactionService,
      auth as unknown as AuthRepository,
      accounts as unknown as AccountsRepository,
      passwords as unknown as PasswordService,
    );

  beforeEach(() => {
    em = { query: jest.fn().mockResolvedValue([]), connection: { options: { type: 'postgres' } } };
    tx = { run: jest.fn((work) => work(em)), manager: {} as EntityManager };
    auth = { anyUserExists: jest.fn().mockResolvedValue(false), insertUser: jest.fn().mockResolvedValue({ id: 5 }) };
    accounts = { insertAccount: jest.fn().mockResolvedValue({ id: 9 }), insertMembership: jest.fn().mockResolvedValue({}) };
    passwords = { hash: jest.fn().mockResolvedValue('$argon2id$hash') };
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => log.mockRestore());

  it('does nothing without bootstrap settings', async () => {
    await make(null).onApplicationBootstrap();
    expect(auth.anyUserExists).not.toHaveBeenCalled();
    expect(tx.run).not.toHaveBeenCalled();
  });

  it('creates the superAdmin and their account under the advisory lock, and logs one line without the password', async () => {
    await expect(make().run(SETTINGS)).resolves.toBe(true);
    expect(em.query).toHaveBeenCalledWith('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
    // Emptiness is checked again after the lock is held.
    expect(em.query.mock.invocationCallOrder[0]).toBeLessThan(auth.anyUserExists.mock.invocationCallOrder[1]);
    expect(auth.insertUser).toHaveBeenCalledWith(em, {
      email: 'boot@example.com',
      name: null,
      passwordHash: '$argon2id$hash',
      isSuperAdmin: true,
    });
    expect(accounts.insertAccount).toHaveBeenCalledWith(em, 'Head office', 'boot@example.com');
    expect(accounts.insertMembership).toHaveBeenCalledWith(em, {
      accountId: 9,
      userId: 5,
      role: 'admin',
      isPrimary: true,
      createdBy: 'boot@example.com',
    });
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toBe('Created platform admin boot@example.com and account "Head office" (id 9)');
    expect(JSON.stringify(log.mock.calls)).not.toContain(SETTINGS.password);
  });

  it('creates nothing when users exist, before or after the lock', async () => {
    auth.anyUserExists.mockResolvedValueOnce(true);
    await expect(make().run(SETTINGS)).resolves.toBe(false);
    expect(passwords.hash).not.toHaveBeenCalled();

    auth.anyUserExists.mockResolvedValueOnce(false).mockResolvedValueOnce(true);
    await expect(make().run(SETTINGS)).resolves.toBe(false);
    expect(auth.insertUser).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it('takes no advisory lock on SQLite, and tolerates losing a race to another process there', async () => {
    em.connection.options.type = 'better-sqlite3';
    auth.insertUser.mockRejectedValueOnce(new Error('SQLITE_BUSY'));
    auth.anyUserExists.mockResolvedValueOnce(false).mockResolvedValueOnce(false).mockResolvedValueOnce(true);
    await expect(make().run(SETTINGS)).resolves.toBe(false);
    expect(em.query).not.toHaveBeenCalled();

    auth.insertUser.mockRejectedValueOnce(new Error('disk I/O error'));
    auth.anyUserExists.mockResolvedValue(false);
    await expect(make().run(SETTINGS)).rejects.toThrow('disk I/O error');
  });
});
