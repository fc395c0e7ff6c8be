import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Weighted, capped routing (contract §7): each rotation's weights and daily caps by member email,
 * and its routing state (the current cycle's credits and the day's counts), kept in the rotation's
 * own row so the row lock that serializes picks also covers them.
 */
export class RotationWeights1795800000001 implements MigrationInterface {
  name = 'RotationWeights1795800000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "lead_rotations" ADD "weights" jsonb NOT NULL DEFAULT '{}', ADD "daily_caps" jsonb NOT NULL DEFAULT '{}', ADD "routing_state" jsonb`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lead_rotations" DROP COLUMN "routing_state", DROP COLUMN "daily_caps", DROP COLUMN "weights"`);
  }
}
