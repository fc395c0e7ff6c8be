import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { AuditService } from '../../src/audit/audit.service';
import { loadConfig } from '../../src/config/configuration';
import { configureApp, httpAdapter } from '../../src/configure-app';
import { TransactionService } from '../../src/database/transaction.service';

export interface TestApp {
  app: NestFastifyApplication;
  /** A fresh supertest agent for the app's HTTP server. */
  http: () => ReturnType<typeof request>;
  ds: DataSource;
  tx: TransactionService;
  jwt: JwtService;
  isPostgres: boolean;
  /** Writes queued audit entries, so a test can assert on them right after a request. */
  flushAudit: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * Boots the real AppModule through configure-app.ts (the same setup as main.ts) on the database
 * chosen by the test project's environment, with migrations applied.
 */
export async function createTestApp(): Promise<TestApp> {
  const config = loadConfig(process.env);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(httpAdapter(config), { bodyParser: false, logger: false });
  configureApp(app, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const ds = app.get<DataSource>(getDataSourceToken());
  const audit = app.get(AuditService);
  const server = app.getHttpServer();
  return {
    app,
    http: () => request(server),
    ds,
    tx: app.get(TransactionService),
    jwt: app.get(JwtService),
    isPostgres: config.database.type === 'postgres',
    flushAudit: () => audit.flush(),
    close: async () => {
      await app.close();
      if (config.database.type === 'sqlite') rmSync(dirname(config.database.path), { recursive: true, force: true });
    },
  };
}

export type { INestApplication };
