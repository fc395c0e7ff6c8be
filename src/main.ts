import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig, ConfigError, loadConfig } from './config/configuration';
import { configureApp, httpAdapter } from './configure-app';
import { checkDatabaseReachable } from './database/preflight';
import { installGracefulShutdown } from './shutdown';

function fail(message: string): never {
  process.stderr.write(`leads-api: ${message}\n`);
  process.exit(1);
}

/** On every address, as Node's own listen does: IPv6 with IPv4 beside it, or IPv4 where there is no IPv6. */
async function listen(app: NestFastifyApplication, port: number): Promise<void> {
  try {
    await app.listen(port, '::');
  } catch (e) {
    if ((e as { code?: string }).code !== 'EAFNOSUPPORT') throw e;
    await app.listen(port, '0.0.0.0');
  }
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

  const app = await NestFactory.create<NestFastifyApplication>(AppModule, httpAdapter(config), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  configureApp(app, config);
  await listen(app, config.port);
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
