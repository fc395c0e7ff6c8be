import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What routing reads besides the rotation: the account's time zone (an IANA name, 'UTC' until set)
 * and each member's availability in the account (away, optionally until a moment). Adding columns
 * with constant defaults rewrites no table on PostgreSQL 11+.
 */
export class RoutingAvailability1795800000000 implements MigrationInterface {
  name = 'RoutingAvailability1795800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "accounts" ADD "time_zone" character varying(64) NOT NULL DEFAULT 'UTC'`);
    await queryRunner.query(`ALTER TABLE "memberships" ADD "away" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "memberships" ADD "away_until" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "memberships" DROP COLUMN "away_until"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP COLUMN "away"`);
    await queryRunner.query(`ALTER TABLE "accounts" DROP COLUMN "time_zone"`);
  }
}
