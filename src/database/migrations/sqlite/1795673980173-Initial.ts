import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795673980173 implements MigrationInterface {
  name = 'Initial1795673980173';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "accounts" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(200) NOT NULL, "created_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "email" varchar(320) NOT NULL, "name" varchar(200), "password_hash" varchar(255), "active" boolean NOT NULL DEFAULT (1), "is_super_admin" boolean NOT NULL DEFAULT (0), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email" ON "users" ("email") `);
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "key" varchar(64) NOT NULL, "secret_hash" varchar(128) NOT NULL, "name" varchar(200) NOT NULL, "permissions" text NOT NULL, "active" boolean NOT NULL DEFAULT (1), "created_by_user_id" integer NOT NULL, "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_api_keys_key" ON "api_keys" ("key") `);
    await queryRunner.query(`CREATE INDEX "IDX_api_keys_account" ON "api_keys" ("account_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "audit_logs" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer, "event" varchar(64) NOT NULL, "user" varchar(320), "api_key" varchar(64), "data" text, "created" datetime NOT NULL, "request_method" varchar(10) NOT NULL, "request_path" varchar(2048) NOT NULL, "request_headers" text, "request_ip_address" varchar(64), "status_code" integer NOT NULL, "lead_id" integer)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_logs_account_event" ON "audit_logs" ("account_id", "event") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_logs_account_created" ON "audit_logs" ("account_id", "created") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_logs_account_lead" ON "audit_logs" ("account_id", "lead_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "rate_limit_buckets" ("key" varchar(400) PRIMARY KEY NOT NULL, "hits" integer NOT NULL, "reset_at" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_rate_limit_buckets_reset" ON "rate_limit_buckets" ("reset_at") `);
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "principal" varchar(64) NOT NULL, "key" varchar(255) NOT NULL, "request_method" varchar(10) NOT NULL, "request_path" varchar(2048) NOT NULL, "request_hash" varchar(64) NOT NULL, "response_status" integer NOT NULL, "response_body" text, "created_at" datetime NOT NULL, "expires_at" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_idempotency_keys_expires" ON "idempotency_keys" ("expires_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_idempotency_keys_scope" ON "idempotency_keys" ("account_id", "principal", "key") `);
    await queryRunner.query(
      `CREATE TABLE "teams" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "name" varchar(200) NOT NULL, "active" boolean NOT NULL DEFAULT (1), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_teams_account_active" ON "teams" ("account_id", "active") `);
    await queryRunner.query(
      `CREATE TABLE "lead_sources" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "team_id" integer, "name" varchar(200) NOT NULL, "active" boolean NOT NULL DEFAULT (1), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_lead_sources_account_team" ON "lead_sources" ("account_id", "team_id", "active") `);
    await queryRunner.query(
      `CREATE TABLE "leads" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "team_id" integer, "lead_source_id" integer, "application_id" varchar(255), "first_name" varchar(200) NOT NULL, "last_name" varchar(200) NOT NULL, "img_src" varchar(2048), "email" varchar(320), "phone" varchar(50), "company" varchar(255), "job_title" varchar(255), "branch" varchar(255), "source" varchar(255), "position" varchar(255), "location" varchar(255), "products_services_sold" varchar(1000), "number_of_employees" integer, "current_payment_processor" varchar(255), "monthly_transaction_volume" integer, "interested_in_switching" boolean, "process_stage" varchar(100), "buying_role" varchar(100), "assigned_to" varchar(320), "notes" text, "last_contacted" datetime, "archived" boolean NOT NULL DEFAULT (0), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_assigned" ON "leads" ("account_id", "assigned_to") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_source" ON "leads" ("account_id", "lead_source_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_team" ON "leads" ("account_id", "team_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_archived_created" ON "leads" ("account_id", "archived", "created_at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "lead_rotations" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "name" varchar(200) NOT NULL, "is_default" boolean NOT NULL DEFAULT (0), "status" varchar(16) NOT NULL DEFAULT ('active'), "team_id" integer, "user_rotation_array" text NOT NULL, "current_position" integer NOT NULL DEFAULT (0), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_lead_rotations_active_default" ON "lead_rotations" ("account_id") WHERE status = 'active' AND team_id IS NULL AND is_default`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_lead_rotations_active_team" ON "lead_rotations" ("account_id", "team_id") WHERE status = 'active' AND team_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_lead_rotations_account_status" ON "lead_rotations" ("account_id", "status") `);
    await queryRunner.query(
      `CREATE TABLE "team_members" ("team_id" integer NOT NULL, "user_id" integer NOT NULL, "position" integer NOT NULL DEFAULT (0), PRIMARY KEY ("team_id", "user_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_team_members_user" ON "team_members" ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "memberships" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "user_id" integer NOT NULL, "role" varchar(16) NOT NULL, "active" boolean NOT NULL DEFAULT (1), "is_primary" boolean NOT NULL DEFAULT (0), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_memberships_user" ON "memberships" ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_memberships_account_user" ON "memberships" ("account_id", "user_id") `);
    await queryRunner.query(`DROP INDEX "UQ_api_keys_key"`);
    await queryRunner.query(`DROP INDEX "IDX_api_keys_account"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_api_keys" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "key" varchar(64) NOT NULL, "secret_hash" varchar(128) NOT NULL, "name" varchar(200) NOT NULL, "permissions" text NOT NULL, "active" boolean NOT NULL DEFAULT (1), "created_by_user_id" integer NOT NULL, "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_decaf331589778e33441b2a8d9e" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_522917da2d9d41d41f7a4e367f0" FOREIGN KEY ("created_by_user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_api_keys"("id", "account_id", "key", "secret_hash", "name", "permissions", "active", "created_by_user_id", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "key", "secret_hash", "name", "permissions", "active", "created_by_user_id", "created_by", "updated_by", "created_at", "updated_at" FROM "api_keys"`,
    );
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`ALTER TABLE "temporary_api_keys" RENAME TO "api_keys"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_api_keys_key" ON "api_keys" ("key") `);
    await queryRunner.query(`CREATE INDEX "IDX_api_keys_account" ON "api_keys" ("account_id", "id") `);
    await queryRunner.query(`DROP INDEX "IDX_teams_account_active"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_teams" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "name" varchar(200) NOT NULL, "active" boolean NOT NULL DEFAULT (1), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_9dc2f0140a747841db643785a15" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_teams"("id", "account_id", "name", "active", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "name", "active", "created_by", "updated_by", "created_at", "updated_at" FROM "teams"`,
    );
    await queryRunner.query(`DROP TABLE "teams"`);
    await queryRunner.query(`ALTER TABLE "temporary_teams" RENAME TO "teams"`);
    await queryRunner.query(`CREATE INDEX "IDX_teams_account_active" ON "teams" ("account_id", "active") `);
    await queryRunner.query(`DROP INDEX "IDX_lead_sources_account_team"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_lead_sources" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "team_id" integer, "name" varchar(200) NOT NULL, "active" boolean NOT NULL DEFAULT (1), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_c0ef55dffbb8f760a3bed9b4fc5" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_c1a16dd40df0c8db81fc9fc27af" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_lead_sources"("id", "account_id", "team_id", "name", "active", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "team_id", "name", "active", "created_by", "updated_by", "created_at", "updated_at" FROM "lead_sources"`,
    );
    await queryRunner.query(`DROP TABLE "lead_sources"`);
    await queryRunner.query(`ALTER TABLE "temporary_lead_sources" RENAME TO "lead_sources"`);
    await queryRunner.query(`CREATE INDEX "IDX_lead_sources_account_team" ON "lead_sources" ("account_id", "team_id", "active") `);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_assigned"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_source"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_team"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_archived_created"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_leads" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "team_id" integer, "lead_source_id" integer, "application_id" varchar(255), "first_name" varchar(200) NOT NULL, "last_name" varchar(200) NOT NULL, "img_src" varchar(2048), "email" varchar(320), "phone" varchar(50), "company" varchar(255), "job_title" varchar(255), "branch" varchar(255), "source" varchar(255), "position" varchar(255), "location" varchar(255), "products_services_sold" varchar(1000), "number_of_employees" integer, "current_payment_processor" varchar(255), "monthly_transaction_volume" integer, "interested_in_switching" boolean, "process_stage" varchar(100), "buying_role" varchar(100), "assigned_to" varchar(320), "notes" text, "last_contacted" datetime, "archived" boolean NOT NULL DEFAULT (0), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_3728102565dda29554f1661657c" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_eb6d04405c71028eb189a2e43e5" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION, CONSTRAINT "FK_cfd3de9ea68bddd4ce4dc2b3d0d" FOREIGN KEY ("lead_source_id") REFERENCES "lead_sources" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_leads"("id", "account_id", "team_id", "lead_source_id", "application_id", "first_name", "last_name", "img_src", "email", "phone", "company", "job_title", "branch", "source", "position", "location", "products_services_sold", "number_of_employees", "current_payment_processor", "monthly_transaction_volume", "interested_in_switching", "process_stage", "buying_role", "assigned_to", "notes", "last_contacted", "archived", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "team_id", "lead_source_id", "application_id", "first_name", "last_name", "img_src", "email", "phone", "company", "job_title", "branch", "source", "position", "location", "products_services_sold", "number_of_employees", "current_payment_processor", "monthly_transaction_volume", "interested_in_switching", "process_stage", "buying_role", "assigned_to", "notes", "last_contacted", "archived", "created_by", "updated_by", "created_at", "updated_at" FROM "leads"`,
    );
    await queryRunner.query(`DROP TABLE "leads"`);
    await queryRunner.query(`ALTER TABLE "temporary_leads" RENAME TO "leads"`);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_assigned" ON "leads" ("account_id", "assigned_to") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_source" ON "leads" ("account_id", "lead_source_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_team" ON "leads" ("account_id", "team_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_archived_created" ON "leads" ("account_id", "archived", "created_at", "id") `);
    await queryRunner.query(`DROP INDEX "UQ_lead_rotations_active_default"`);
    await queryRunner.query(`DROP INDEX "UQ_lead_rotations_active_team"`);
    await queryRunner.query(`DROP INDEX "IDX_lead_rotations_account_status"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_lead_rotations" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "name" varchar(200) NOT NULL, "is_default" boolean NOT NULL DEFAULT (0), "status" varchar(16) NOT NULL DEFAULT ('active'), "team_id" integer, "user_rotation_array" text NOT NULL, "current_position" integer NOT NULL DEFAULT (0), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_a34502a3b7095646943ccacab5b" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_37a5904771630bcc9aa4c136706" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_lead_rotations"("id", "account_id", "name", "is_default", "status", "team_id", "user_rotation_array", "current_position", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "name", "is_default", "status", "team_id", "user_rotation_array", "current_position", "created_by", "updated_by", "created_at", "updated_at" FROM "lead_rotations"`,
    );
    await queryRunner.query(`DROP TABLE "lead_rotations"`);
    await queryRunner.query(`ALTER TABLE "temporary_lead_rotations" RENAME TO "lead_rotations"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_lead_rotations_active_default" ON "lead_rotations" ("account_id") WHERE status = 'active' AND team_id IS NULL AND is_default`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_lead_rotations_active_team" ON "lead_rotations" ("account_id", "team_id") WHERE status = 'active' AND team_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_lead_rotations_account_status" ON "lead_rotations" ("account_id", "status") `);
    await queryRunner.query(`DROP INDEX "IDX_team_members_user"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_team_members" ("team_id" integer NOT NULL, "user_id" integer NOT NULL, "position" integer NOT NULL DEFAULT (0), CONSTRAINT "FK_fdad7d5768277e60c40e01cdcea" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_c2bf4967c8c2a6b845dadfbf3d4" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("team_id", "user_id"))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_team_members"("team_id", "user_id", "position") SELECT "team_id", "user_id", "position" FROM "team_members"`,
    );
    await queryRunner.query(`DROP TABLE "team_members"`);
    await queryRunner.query(`ALTER TABLE "temporary_team_members" RENAME TO "team_members"`);
    await queryRunner.query(`CREATE INDEX "IDX_team_members_user" ON "team_members" ("user_id") `);
    await queryRunner.query(`DROP INDEX "IDX_memberships_user"`);
    await queryRunner.query(`DROP INDEX "UQ_memberships_account_user"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_memberships" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "user_id" integer NOT NULL, "role" varchar(16) NOT NULL, "active" boolean NOT NULL DEFAULT (1), "is_primary" boolean NOT NULL DEFAULT (0), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_cc6ac2e484c2f6e53d13ce1a97c" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_7c1e2fdfed4f6838e0c05ae5051" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_memberships"("id", "account_id", "user_id", "role", "active", "is_primary", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "user_id", "role", "active", "is_primary", "created_by", "updated_by", "created_at", "updated_at" FROM "memberships"`,
    );
    await queryRunner.query(`DROP TABLE "memberships"`);
    await queryRunner.query(`ALTER TABLE "temporary_memberships" RENAME TO "memberships"`);
    await queryRunner.query(`CREATE INDEX "IDX_memberships_user" ON "memberships" ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_memberships_account_user" ON "memberships" ("account_id", "user_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_memberships_account_user"`);
    await queryRunner.query(`DROP INDEX "IDX_memberships_user"`);
    await queryRunner.query(`ALTER TABLE "memberships" RENAME TO "temporary_memberships"`);
    await queryRunner.query(
      `CREATE TABLE "memberships" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "user_id" integer NOT NULL, "role" varchar(16) NOT NULL, "active" boolean NOT NULL DEFAULT (1), "is_primary" boolean NOT NULL DEFAULT (0), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `INSERT INTO "memberships"("id", "account_id", "user_id", "role", "active", "is_primary", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "user_id", "role", "active", "is_primary", "created_by", "updated_by", "created_at", "updated_at" FROM "temporary_memberships"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_memberships"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_memberships_account_user" ON "memberships" ("account_id", "user_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_memberships_user" ON "memberships" ("user_id") `);
    await queryRunner.query(`DROP INDEX "IDX_team_members_user"`);
    await queryRunner.query(`ALTER TABLE "team_members" RENAME TO "temporary_team_members"`);
    await queryRunner.query(
      `CREATE TABLE "team_members" ("team_id" integer NOT NULL, "user_id" integer NOT NULL, "position" integer NOT NULL DEFAULT (0), PRIMARY KEY ("team_id", "user_id"))`,
    );
    await queryRunner.query(
      `INSERT INTO "team_members"("team_id", "user_id", "position") SELECT "team_id", "user_id", "position" FROM "temporary_team_members"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_team_members"`);
    await queryRunner.query(`CREATE INDEX "IDX_team_members_user" ON "team_members" ("user_id") `);
    await queryRunner.query(`DROP INDEX "IDX_lead_rotations_account_status"`);
    await queryRunner.query(`DROP INDEX "UQ_lead_rotations_active_team"`);
    await queryRunner.query(`DROP INDEX "UQ_lead_rotations_active_default"`);
    await queryRunner.query(`ALTER TABLE "lead_rotations" RENAME TO "temporary_lead_rotations"`);
    await queryRunner.query(
      `CREATE TABLE "lead_rotations" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "name" varchar(200) NOT NULL, "is_default" boolean NOT NULL DEFAULT (0), "status" varchar(16) NOT NULL DEFAULT ('active'), "team_id" integer, "user_rotation_array" text NOT NULL, "current_position" integer NOT NULL DEFAULT (0), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `INSERT INTO "lead_rotations"("id", "account_id", "name", "is_default", "status", "team_id", "user_rotation_array", "current_position", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "name", "is_default", "status", "team_id", "user_rotation_array", "current_position", "created_by", "updated_by", "created_at", "updated_at" FROM "temporary_lead_rotations"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_lead_rotations"`);
    await queryRunner.query(`CREATE INDEX "IDX_lead_rotations_account_status" ON "lead_rotations" ("account_id", "status") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_lead_rotations_active_team" ON "lead_rotations" ("account_id", "team_id") WHERE status = 'active' AND team_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_lead_rotations_active_default" ON "lead_rotations" ("account_id") WHERE status = 'active' AND team_id IS NULL AND is_default`,
    );
    await queryRunner.query(`DROP INDEX "IDX_leads_account_archived_created"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_team"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_source"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_assigned"`);
    await queryRunner.query(`ALTER TABLE "leads" RENAME TO "temporary_leads"`);
    await queryRunner.query(
      `CREATE TABLE "leads" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "team_id" integer, "lead_source_id" integer, "application_id" varchar(255), "first_name" varchar(200) NOT NULL, "last_name" varchar(200) NOT NULL, "img_src" varchar(2048), "email" varchar(320), "phone" varchar(50), "company" varchar(255), "job_title" varchar(255), "branch" varchar(255), "source" varchar(255), "position" varchar(255), "location" varchar(255), "products_services_sold" varchar(1000), "number_of_employees" integer, "current_payment_processor" varchar(255), "monthly_transaction_volume" integer, "interested_in_switching" boolean, "process_stage" varchar(100), "buying_role" varchar(100), "assigned_to" varchar(320), "notes" text, "last_contacted" datetime, "archived" boolean NOT NULL DEFAULT (0), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `INSERT INTO "leads"("id", "account_id", "team_id", "lead_source_id", "application_id", "first_name", "last_name", "img_src", "email", "phone", "company", "job_title", "branch", "source", "position", "location", "products_services_sold", "number_of_employees", "current_payment_processor", "monthly_transaction_volume", "interested_in_switching", "process_stage", "buying_role", "assigned_to", "notes", "last_contacted", "archived", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "team_id", "lead_source_id", "application_id", "first_name", "last_name", "img_src", "email", "phone", "company", "job_title", "branch", "source", "position", "location", "products_services_sold", "number_of_employees", "current_payment_processor", "monthly_transaction_volume", "interested_in_switching", "process_stage", "buying_role", "assigned_to", "notes", "last_contacted", "archived", "created_by", "updated_by", "created_at", "updated_at" FROM "temporary_leads"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_leads"`);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_archived_created" ON "leads" ("account_id", "archived", "created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_team" ON "leads" ("account_id", "team_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_source" ON "leads" ("account_id", "lead_source_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_assigned" ON "leads" ("account_id", "assigned_to") `);
    await queryRunner.query(`DROP INDEX "IDX_lead_sources_account_team"`);
    await queryRunner.query(`ALTER TABLE "lead_sources" RENAME TO "temporary_lead_sources"`);
    await queryRunner.query(
      `CREATE TABLE "lead_sources" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "team_id" integer, "name" varchar(200) NOT NULL, "active" boolean NOT NULL DEFAULT (1), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `INSERT INTO "lead_sources"("id", "account_id", "team_id", "name", "active", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "team_id", "name", "active", "created_by", "updated_by", "created_at", "updated_at" FROM "temporary_lead_sources"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_lead_sources"`);
    await queryRunner.query(`CREATE INDEX "IDX_lead_sources_account_team" ON "lead_sources" ("account_id", "team_id", "active") `);
    await queryRunner.query(`DROP INDEX "IDX_teams_account_active"`);
    await queryRunner.query(`ALTER TABLE "teams" RENAME TO "temporary_teams"`);
    await queryRunner.query(
      `CREATE TABLE "teams" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "name" varchar(200) NOT NULL, "active" boolean NOT NULL DEFAULT (1), "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `INSERT INTO "teams"("id", "account_id", "name", "active", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "name", "active", "created_by", "updated_by", "created_at", "updated_at" FROM "temporary_teams"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_teams"`);
    await queryRunner.query(`CREATE INDEX "IDX_teams_account_active" ON "teams" ("account_id", "active") `);
    await queryRunner.query(`DROP INDEX "IDX_api_keys_account"`);
    await queryRunner.query(`DROP INDEX "UQ_api_keys_key"`);
    await queryRunner.query(`ALTER TABLE "api_keys" RENAME TO "temporary_api_keys"`);
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "account_id" integer NOT NULL, "key" varchar(64) NOT NULL, "secret_hash" varchar(128) NOT NULL, "name" varchar(200) NOT NULL, "permissions" text NOT NULL, "active" boolean NOT NULL DEFAULT (1), "created_by_user_id" integer NOT NULL, "created_by" varchar(320), "updated_by" varchar(320), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `INSERT INTO "api_keys"("id", "account_id", "key", "secret_hash", "name", "permissions", "active", "created_by_user_id", "created_by", "updated_by", "created_at", "updated_at") SELECT "id", "account_id", "key", "secret_hash", "name", "permissions", "active", "created_by_user_id", "created_by", "updated_by", "created_at", "updated_at" FROM "temporary_api_keys"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_api_keys"`);
    await queryRunner.query(`CREATE INDEX "IDX_api_keys_account" ON "api_keys" ("account_id", "id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_api_keys_key" ON "api_keys" ("key") `);
    await queryRunner.query(`DROP INDEX "UQ_memberships_account_user"`);
    await queryRunner.query(`DROP INDEX "IDX_memberships_user"`);
    await queryRunner.query(`DROP TABLE "memberships"`);
    await queryRunner.query(`DROP INDEX "IDX_team_members_user"`);
    await queryRunner.query(`DROP TABLE "team_members"`);
    await queryRunner.query(`DROP INDEX "IDX_lead_rotations_account_status"`);
    await queryRunner.query(`DROP INDEX "UQ_lead_rotations_active_team"`);
    await queryRunner.query(`DROP INDEX "UQ_lead_rotations_active_default"`);
    await queryRunner.query(`DROP TABLE "lead_rotations"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_archived_created"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_team"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_source"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_assigned"`);
    await queryRunner.query(`DROP TABLE "leads"`);
    await queryRunner.query(`DROP INDEX "IDX_lead_sources_account_team"`);
    await queryRunner.query(`DROP TABLE "lead_sources"`);
    await queryRunner.query(`DROP INDEX "IDX_teams_account_active"`);
    await queryRunner.query(`DROP TABLE "teams"`);
    await queryRunner.query(`DROP INDEX "UQ_idempotency_keys_scope"`);
    await queryRunner.query(`DROP INDEX "IDX_idempotency_keys_expires"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP INDEX "IDX_rate_limit_buckets_reset"`);
    await queryRunner.query(`DROP TABLE "rate_limit_buckets"`);
    await queryRunner.query(`DROP INDEX "IDX_audit_logs_account_lead"`);
    await queryRunner.query(`DROP INDEX "IDX_audit_logs_account_created"`);
    await queryRunner.query(`DROP INDEX "IDX_audit_logs_account_event"`);
    await queryRunner.query(`DROP TABLE "audit_logs"`);
    await queryRunner.query(`DROP INDEX "IDX_api_keys_account"`);
    await queryRunner.query(`DROP INDEX "UQ_api_keys_key"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "UQ_users_email"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TABLE "accounts"`);
  }
}
