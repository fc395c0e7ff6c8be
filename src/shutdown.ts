import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import { INestApplication, LoggerService } from '@nestjs/common';
import { WebhookWorkerService } from './webhooks/webhook-worker.service';

/**
 * After SIGTERM the service keeps accepting for a moment (connections the kernel has already
 * queued, or that a load balancer still sends while it learns of the stop, would otherwise be reset),
 * then stops listening and gives the last connections accepted time to deliver their request.
 */
const KEEP_ACCEPTING_MS = 250;
const ACCEPTED_GRACE_MS = 250;

/**
 * SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (up to `timeoutMs`),
 * then close the application, which flushes the audit queue and closes the database. Nest's own
 * shutdown hooks would close the database before the HTTP server, failing requests still running.
 */
export function installGracefulShutdown(app: INestApplication, timeoutMs: number, logger: LoggerService): void {
  const server = app.getHttpServer() as Server;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: finishing in-flight requests`, 'Shutdown');
    // Webhook workers stop claiming now; their posts in flight finish before app.close() returns.
    const webhooksStopped = app.get(WebhookWorkerService).stop();
    await new Promise((resolve) => setTimeout(resolve, KEEP_ACCEPTING_MS));
    // Not http's close(): it would at once close every connection with no request in progress,
    // including one whose request is still unread in its socket (the client sees a reset).
    const drained = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, ACCEPTED_GRACE_MS));
    server.closeIdleConnections();
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') {
      logger.warn(`in-flight requests still running after ${timeoutMs} ms; closing their connections`, 'Shutdown');
      server.closeAllConnections();
    }
    clearInterval(idle);
    await webhooksStopped;
    await app.close();
    logger.log('stopped', 'Shutdown');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
