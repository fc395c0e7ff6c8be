import { MigrationInterface, QueryRunner } from 'typeorm';

/** A webhook's run of failed attempts and the pause it earned (WebhookWorkerService). */
export class WebhookPause1796100000000 implements MigrationInterface {
  name = 'WebhookPause1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhooks" ADD "consecutive_failures" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "webhooks" ADD "failing_since" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "webhooks" ADD "paused_until" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhooks" DROP COLUMN "paused_until"`);
    await queryRunner.query(`ALTER TABLE "webhooks" DROP COLUMN "failing_since"`);
    await queryRunner.query(`ALTER TABLE "webhooks" DROP COLUMN "consecutive_failures"`);
  }
}
