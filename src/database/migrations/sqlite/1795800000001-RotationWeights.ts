import { MigrationInterface, QueryRunner } from 'typeorm';

/** See the PostgreSQL migration of the same name: weights, daily caps and routing state of rotations. */
export class RotationWeights1795800000001 implements MigrationInterface {
  name = 'RotationWeights1795800000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lead_rotations" ADD COLUMN "weights" text NOT NULL DEFAULT ('{}')`);
    await queryRunner.query(`ALTER TABLE "lead_rotations" ADD COLUMN "daily_caps" text NOT NULL DEFAULT ('{}')`);
    await queryRunner.query(`ALTER TABLE "lead_rotations" ADD COLUMN "routing_state" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lead_rotations" DROP COLUMN "routing_state"`);
    await queryRunner.query(`ALTER TABLE "lead_rotations" DROP COLUMN "daily_caps"`);
    await queryRunner.query(`ALTER TABLE "lead_rotations" DROP COLUMN "weights"`);
  }
}
