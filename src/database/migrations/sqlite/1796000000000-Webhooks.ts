import { MigrationInterface, QueryRunner } from 'typeorm';

/** See the PostgreSQL migration of the same name. */
export class Webhooks1796000000000 implements MigrationInterface {
  name = 'Webhooks1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhooks" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "url" varchar(2048) NOT NULL, "events" text NOT NULL, "description" varchar(500), "active" boolean NOT NULL DEFAULT (1), "secret_encrypted" varchar(200) NOT NULL, "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_295b5a3ff343825baa12cfdcba0" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_webhooks_account" ON "webhooks" ("account_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "webhook_id" integer NOT NULL, "event_id" varchar(40) NOT NULL, "event_type" varchar(32) NOT NULL, "lead_id" integer, "data" text NOT NULL, "created_at" datetime NOT NULL, "status" varchar(16) NOT NULL DEFAULT ('pending'), "attempts" integer NOT NULL DEFAULT (0), "next_attempt_at" datetime, "last_status_code" integer, "last_error" varchar(500), "last_duration_ms" integer, "updated_at" datetime NOT NULL, CONSTRAINT "FK_a0286aeb96db651efd1ae2966f2" FOREIGN KEY ("webhook_id") REFERENCES "webhooks" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_webhook_deliveries_webhook" ON "webhook_deliveries" ("account_id", "webhook_id", "id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_attempts" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "delivery_id" integer NOT NULL, "attempt" integer NOT NULL, "status_code" integer, "error" varchar(500), "duration_ms" integer NOT NULL, "created_at" datetime NOT NULL, CONSTRAINT "FK_0d56d91d61b827bb2079c256538" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_webhook_attempts_delivery" ON "webhook_attempts" ("delivery_id", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_webhook_attempts_delivery"`);
    await queryRunner.query(`DROP TABLE "webhook_attempts"`);
    await queryRunner.query(`DROP INDEX "IDX_webhook_deliveries_due"`);
    await queryRunner.query(`DROP INDEX "IDX_webhook_deliveries_webhook"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "IDX_webhooks_account"`);
    await queryRunner.query(`DROP TABLE "webhooks"`);
  }
}
