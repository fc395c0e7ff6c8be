import { MigrationInterface, QueryRunner } from 'typeorm';

/** See the PostgreSQL migration of the same name. */
export class WebhookPause1796100000000 implements MigrationInterface {
  name = 'WebhookPause1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhooks" ADD COLUMN "consecutive_failures" integer NOT NULL DEFAULT (0)`);
    await queryRunner.query(`ALTER TABLE "webhooks" ADD COLUMN "failing_since" datetime`);
    await queryRunner.query(`ALTER TABLE "webhooks" ADD COLUMN "paused_until" datetime`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhooks" DROP COLUMN "paused_until"`);
    await queryRunner.query(`ALTER TABLE "webhooks" DROP COLUMN "failing_since"`);
    await queryRunner.query(`ALTER TABLE "webhooks" DROP COLUMN "consecutive_failures"`);
  }
}
