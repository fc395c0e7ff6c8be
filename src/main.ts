import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig, ConfigError, loadConfig } from './config/configuration';
import { configureApp } from './configure-app';
import { checkDatabaseReachable } from './database/preflight';
import { installGracefulShutdown } from './shutdown';

function fail(message: string): never {
  process.stderr.write(`leads-api: ${message}\n`);
  process.exit(1);
}

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) fail(`configuration error: ${e.message}`);
    throw e;
  }
  const unreachable = await checkDatabaseReachable(config.database);
  if (unreachable) fail(`cannot start: ${unreachable}`);

  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  configureApp(app, config);
  await app.listen(config.port);
  installGracefulShutdown(app, config.shutdownTimeoutMs, logger);
  const url = `http://localhost:${config.port}`;
  logger.log(
    `Leads API listening on ${url} (${config.database.type === 'postgres' ? 'PostgreSQL' : `SQLite ${config.database.path}`}); docs at ${url}/docs`,
    'Bootstrap',
  );
}

bootstrap().catch((e: unknown) => {
  const err = e as Error & { code?: string };
  fail(`start-up failed: ${err?.message ?? String(e)}${err?.code ? ` (${err.code})` : ''}`);
});
