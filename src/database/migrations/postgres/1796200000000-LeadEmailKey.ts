import { MigrationInterface, QueryRunner } from 'typeorm';
import { addLeadEmailKeys, dropLeadEmailKeys } from '../lead-email-keys';

/**
 * §8: the duplicate check compares a key the service writes with each email (`email_key`, see
 * duplicateKey) instead of the database's lower(), which folds only ASCII letters on SQLite and depends
 * on the locale on PostgreSQL. Existing leads get their keys in batches (about a minute per million).
 */
export class LeadEmailKey1796200000000 implements MigrationInterface {
  name = 'LeadEmailKey1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await addLeadEmailKeys(queryRunner, 'postgres');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await dropLeadEmailKeys(queryRunner);
  }
}
