import { MigrationInterface, QueryRunner } from 'typeorm';
import { addLeadEmailKeys, dropLeadEmailKeys } from '../lead-email-keys';

/** See the PostgreSQL migration of the same name (`ADD COLUMN` in place of a table copy, as in RoutingAvailability). */
export class LeadEmailKey1796200000000 implements MigrationInterface {
  name = 'LeadEmailKey1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await addLeadEmailKeys(queryRunner, 'sqlite');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await dropLeadEmailKeys(queryRunner);
  }
}
