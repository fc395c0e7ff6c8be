import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit ids as 64-bit integers: every audited request takes one, and a 32-bit sequence runs out
 * within weeks under steady load. Rewrites the table once (ACCESS EXCLUSIVE while it runs).
 */
export class AuditLogBigIds1795700000000 implements MigrationInterface {
  name = 'AuditLogBigIds1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_logs" ALTER COLUMN "id" TYPE bigint`);
    await queryRunner.query(`ALTER SEQUENCE "audit_logs_id_seq" AS bigint`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER SEQUENCE "audit_logs_id_seq" AS integer`);
    await queryRunner.query(`ALTER TABLE "audit_logs" ALTER COLUMN "id" TYPE integer`);
  }
}
