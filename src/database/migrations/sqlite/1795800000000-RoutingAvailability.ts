import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * See the PostgreSQL migration of the same name. `ADD COLUMN` in place of the table copy that
 * `migration:generate` writes for SQLite: copying `accounts` means dropping a table every account's
 * data references, and the column definitions are the generator's, so the schema builder finds
 * nothing to change. `DROP COLUMN` needs SQLite 3.35 (better-sqlite3 bundles a newer one).
 */
export class RoutingAvailability1795800000000 implements MigrationInterface {
  name = 'RoutingAvailability1795800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "accounts" ADD COLUMN "time_zone" varchar(64) NOT NULL DEFAULT ('UTC')`);
    await queryRunner.query(`ALTER TABLE "memberships" ADD COLUMN "away" boolean NOT NULL DEFAULT (0)`);
    await queryRunner.query(`ALTER TABLE "memberships" ADD COLUMN "away_until" datetime`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "memberships" DROP COLUMN "away_until"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP COLUMN "away"`);
    await queryRunner.query(`ALTER TABLE "accounts" DROP COLUMN "time_zone"`);
  }
}
