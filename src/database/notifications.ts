import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { isPostgres } from './dialect';

/**
 * Sends `payload` on `channel` to every instance listening on the database, in the transaction open
 * on `em`: PostgreSQL delivers it at commit, and never when the transaction rolls back. SQLite
 * serves one process, which is told in-process by the caller: nothing to send.
 */
export async function notify(em: EntityManager, channel: string, payload: string): Promise<void> {
  if (!isPostgres(em)) return;
  await em.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

export interface ListenerEvents {
  notification(payload: string): void;
  /** Subscribed (again): notifications sent from now on arrive. */
  up(): void;
  /** Not subscribed: notifications may be missed until the next `up`. */
  down(reason: string): void;
}

/** The `application_name` of the listening connections (operators and drills find them by it). */
export const LISTENER_APPLICATION_NAME = 'leads-api-listener';

const HEARTBEAT_MS = 15_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * One dedicated connection (not from the pool, which would hand it to requests) that LISTENs on a
 * channel, and reconnects with backoff (100 ms doubling to 5 s) whenever it errors, ends or stops
 * answering a heartbeat.
 */
export class NotificationListener {
  private client: Client | null = null;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly connectTimeoutMs: number,
    private readonly channel: string,
    private readonly events: ListenerEvents,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
  }

  /** The first subscription; resolves once it has succeeded or failed (then retries in the background). */
  start(): Promise<void> {
    this.stopped = false;
    return this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.heartbeat) clearInterval(this.heartbeat);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    this.retry = null;
    const client = new Client({
      connectionString: this.url,
      connectionTimeoutMillis: this.connectTimeoutMs,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
    });
    this.client = client;
    client.on('error', (err: Error) => this.lost(client, err.message));
    client.on('end', () => this.lost(client, 'connection closed'));
    client.on('notification', (msg) => {
      if (this.client === client && msg.channel === this.channel) this.events.notification(msg.payload ?? '');
    });
    try {
      await client.connect();
      // The channel is a fixed identifier checked above: LISTEN takes no parameter.
      await client.query(`LISTEN ${this.channel}`);
    } catch (e) {
      this.lost(client, (e as Error).message);
      return;
    }
    if (this.client !== client) return;
    this.attempt = 0;
    this.heartbeat = setInterval(() => this.beat(client), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.events.up();
  }

  /** A connection that silently stopped answering (a network partition) is noticed here. */
  private beat(client: Client): void {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('heartbeat not answered')), HEARTBEAT_TIMEOUT_MS);
    });
    Promise.race([client.query('SELECT 1'), timeout])
      .catch((e: Error) => this.lost(client, e.message))
      .finally(() => clearTimeout(timer));
  }

  private lost(client: Client, reason: string): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.events.down(reason);
    const delay = Math.min(100 * 2 ** this.attempt, MAX_BACKOFF_MS);
    this.attempt++;
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }
}

/**
 * A listener on `channel` for the database of `dataSource`, or null where the database serves one
 * process (SQLite), which needs none.
 */
export function listenerFor(dataSource: DataSource, channel: string, events: ListenerEvents): NotificationListener | null {
  if (!isPostgres(dataSource)) return null;
  const options = dataSource.options as PostgresDataSourceOptions;
  const timeout = Number((options.extra as { connectionTimeoutMillis?: number } | undefined)?.connectionTimeoutMillis ?? 5000);
  return new NotificationListener(options.url as string, timeout, channel, events);
}
