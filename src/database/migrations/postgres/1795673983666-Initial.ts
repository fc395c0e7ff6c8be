import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795673983666 implements MigrationInterface {
  name = 'Initial1795673983666';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "accounts" ("id" SERIAL NOT NULL, "name" character varying(200) NOT NULL, "created_by" character varying(320), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5a7a02c20412299d198e097a8fe" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" SERIAL NOT NULL, "email" character varying(320) NOT NULL, "name" character varying(200), "password_hash" character varying(255), "active" boolean NOT NULL DEFAULT true, "is_super_admin" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email" ON "users"  ("email") `);
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" SERIAL NOT NULL, "account_id" integer NOT NULL, "key" character varying(64) NOT NULL, "secret_hash" character varying(128) NOT NULL, "name" character varying(200) NOT NULL, "permissions" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_by_user_id" integer NOT NULL, "created_by" character varying(320), "updated_by" character varying(320), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_api_keys_key" ON "api_keys"  ("key") `);
    await queryRunner.query(`CREATE INDEX "IDX_api_keys_account" ON "api_keys"  ("account_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "audit_logs" ("id" SERIAL NOT NULL, "account_id" integer, "event" character varying(64) NOT NULL, "user" character varying(320), "api_key" character varying(64), "data" jsonb, "created" TIMESTAMP WITH TIME ZONE NOT NULL, "request_method" character varying(10) NOT NULL, "request_path" character varying(2048) NOT NULL, "request_headers" jsonb, "request_ip_address" character varying(64), "status_code" integer NOT NULL, "lead_id" integer, CONSTRAINT "PK_1bb179d048bbc581caa3b013439" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_logs_account_event" ON "audit_logs"  ("account_id", "event") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_logs_account_created" ON "audit_logs"  ("account_id", "created") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_logs_account_lead" ON "audit_logs"  ("account_id", "lead_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "rate_limit_buckets" ("key" character varying(400) NOT NULL, "hits" integer NOT NULL, "reset_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_9eb2f8a2ae370667b4ca83dd313" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_rate_limit_buckets_reset" ON "rate_limit_buckets"  ("reset_at") `);
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("id" SERIAL NOT NULL, "account_id" integer NOT NULL, "principal" character varying(64) NOT NULL, "key" character varying(255) NOT NULL, "request_method" character varying(10) NOT NULL, "request_path" character varying(2048) NOT NULL, "request_hash" character varying(64) NOT NULL, "response_status" integer NOT NULL, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_8ad20779ad0411107a56e53d0f6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_idempotency_keys_expires" ON "idempotency_keys"  ("expires_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_idempotency_keys_scope" ON "idempotency_keys"  ("account_id", "principal", "key") `);
    await queryRunner.query(
      `CREATE TABLE "teams" ("id" SERIAL NOT NULL, "account_id" integer NOT NULL, "name" character varying(200) NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_by" character varying(320), "updated_by" character varying(320), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7e5523774a38b08a6236d322403" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_teams_account_active" ON "teams"  ("account_id", "active") `);
    await queryRunner.query(
      `CREATE TABLE "lead_sources" ("id" SERIAL NOT NULL, "account_id" integer NOT NULL, "team_id" integer, "name" character varying(200) NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_by" character varying(320), "updated_by" character varying(320), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_bc885a4409ec70ee5a810dbbd6f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_lead_sources_account_team" ON "lead_sources"  ("account_id", "team_id", "active") `);
    await queryRunner.query(
      `CREATE TABLE "leads" ("id" SERIAL NOT NULL, "account_id" integer NOT NULL, "team_id" integer, "lead_source_id" integer, "application_id" character varying(255), "first_name" character varying(200) NOT NULL, "last_name" character varying(200) NOT NULL, "img_src" character varying(2048), "email" character varying(320), "phone" character varying(50), "company" character varying(255), "job_title" character varying(255), "branch" character varying(255), "source" character varying(255), "position" character varying(255), "location" character varying(255), "products_services_sold" character varying(1000), "number_of_employees" integer, "current_payment_processor" character varying(255), "monthly_transaction_volume" integer, "interested_in_switching" boolean, "process_stage" character varying(100), "buying_role" character varying(100), "assigned_to" character varying(320), "notes" text, "last_contacted" TIMESTAMP WITH TIME ZONE, "archived" boolean NOT NULL DEFAULT false, "created_by" character varying(320), "updated_by" character varying(320), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_cd102ed7a9a4ca7d4d8bfeba406" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_assigned" ON "leads"  ("account_id", "assigned_to") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_source" ON "leads"  ("account_id", "lead_source_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_team" ON "leads"  ("account_id", "team_id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_leads_account_archived_created" ON "leads"  ("account_id", "archived", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "lead_rotations" ("id" SERIAL NOT NULL, "account_id" integer NOT NULL, "name" character varying(200) NOT NULL, "is_default" boolean NOT NULL DEFAULT false, "status" character varying(16) NOT NULL DEFAULT 'active', "team_id" integer, "user_rotation_array" jsonb NOT NULL, "current_position" integer NOT NULL DEFAULT '0', "created_by" character varying(320), "updated_by" character varying(320), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_20d1607b96423480c35a0e1c96f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_lead_rotations_active_default" ON "lead_rotations"  ("account_id") WHERE status = 'active' AND team_id IS NULL AND is_default`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_lead_rotations_active_team" ON "lead_rotations"  ("account_id", "team_id") WHERE status = 'active' AND team_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_lead_rotations_account_status" ON "lead_rotations"  ("account_id", "status") `);
    await queryRunner.query(
      `CREATE TABLE "team_members" ("team_id" integer NOT NULL, "user_id" integer NOT NULL, "position" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_1d3c06a8217a8785e2af0ec4ab8" PRIMARY KEY ("team_id", "user_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_team_members_user" ON "team_members"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "memberships" ("id" SERIAL NOT NULL, "account_id" integer NOT NULL, "user_id" integer NOT NULL, "role" character varying(16) NOT NULL, "active" boolean NOT NULL DEFAULT true, "is_primary" boolean NOT NULL DEFAULT false, "created_by" character varying(320), "updated_by" character varying(320), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_25d28bd932097a9e90495ede7b4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_memberships_user" ON "memberships"  ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_memberships_account_user" ON "memberships"  ("account_id", "user_id") `);
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "FK_decaf331589778e33441b2a8d9e" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "FK_522917da2d9d41d41f7a4e367f0" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "teams" ADD CONSTRAINT "FK_9dc2f0140a747841db643785a15" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lead_sources" ADD CONSTRAINT "FK_c0ef55dffbb8f760a3bed9b4fc5" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lead_sources" ADD CONSTRAINT "FK_c1a16dd40df0c8db81fc9fc27af" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "leads" ADD CONSTRAINT "FK_3728102565dda29554f1661657c" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "leads" ADD CONSTRAINT "FK_eb6d04405c71028eb189a2e43e5" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "leads" ADD CONSTRAINT "FK_cfd3de9ea68bddd4ce4dc2b3d0d" FOREIGN KEY ("lead_source_id") REFERENCES "lead_sources"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lead_rotations" ADD CONSTRAINT "FK_a34502a3b7095646943ccacab5b" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lead_rotations" ADD CONSTRAINT "FK_37a5904771630bcc9aa4c136706" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_members" ADD CONSTRAINT "FK_fdad7d5768277e60c40e01cdcea" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_members" ADD CONSTRAINT "FK_c2bf4967c8c2a6b845dadfbf3d4" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "FK_cc6ac2e484c2f6e53d13ce1a97c" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "FK_7c1e2fdfed4f6838e0c05ae5051" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "FK_7c1e2fdfed4f6838e0c05ae5051"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "FK_cc6ac2e484c2f6e53d13ce1a97c"`);
    await queryRunner.query(`ALTER TABLE "team_members" DROP CONSTRAINT "FK_c2bf4967c8c2a6b845dadfbf3d4"`);
    await queryRunner.query(`ALTER TABLE "team_members" DROP CONSTRAINT "FK_fdad7d5768277e60c40e01cdcea"`);
    await queryRunner.query(`ALTER TABLE "lead_rotations" DROP CONSTRAINT "FK_37a5904771630bcc9aa4c136706"`);
    await queryRunner.query(`ALTER TABLE "lead_rotations" DROP CONSTRAINT "FK_a34502a3b7095646943ccacab5b"`);
    await queryRunner.query(`ALTER TABLE "leads" DROP CONSTRAINT "FK_cfd3de9ea68bddd4ce4dc2b3d0d"`);
    await queryRunner.query(`ALTER TABLE "leads" DROP CONSTRAINT "FK_eb6d04405c71028eb189a2e43e5"`);
    await queryRunner.query(`ALTER TABLE "leads" DROP CONSTRAINT "FK_3728102565dda29554f1661657c"`);
    await queryRunner.query(`ALTER TABLE "lead_sources" DROP CONSTRAINT "FK_c1a16dd40df0c8db81fc9fc27af"`);
    await queryRunner.query(`ALTER TABLE "lead_sources" DROP CONSTRAINT "FK_c0ef55dffbb8f760a3bed9b4fc5"`);
    await queryRunner.query(`ALTER TABLE "teams" DROP CONSTRAINT "FK_9dc2f0140a747841db643785a15"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_522917da2d9d41d41f7a4e367f0"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_decaf331589778e33441b2a8d9e"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_memberships_account_user"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_memberships_user"`);
    await queryRunner.query(`DROP TABLE "memberships"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_team_members_user"`);
    await queryRunner.query(`DROP TABLE "team_members"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_lead_rotations_account_status"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_lead_rotations_active_team"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_lead_rotations_active_default"`);
    await queryRunner.query(`DROP TABLE "lead_rotations"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_leads_account_archived_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_leads_account_team"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_leads_account_source"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_leads_account_assigned"`);
    await queryRunner.query(`DROP TABLE "leads"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_lead_sources_account_team"`);
    await queryRunner.query(`DROP TABLE "lead_sources"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_teams_account_active"`);
    await queryRunner.query(`DROP TABLE "teams"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_idempotency_keys_scope"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_idempotency_keys_expires"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_rate_limit_buckets_reset"`);
    await queryRunner.query(`DROP TABLE "rate_limit_buckets"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_logs_account_lead"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_logs_account_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_logs_account_event"`);
    await queryRunner.query(`DROP TABLE "audit_logs"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_api_keys_account"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_api_keys_key"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_email"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TABLE "accounts"`);
  }
}
