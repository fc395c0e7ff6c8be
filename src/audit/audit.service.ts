import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiRequest } from '../auth/principal';
import { classifyDbError } from '../common/errors/database-errors';
import { TransactionService } from '../database/transaction.service';
import type { AuditEventName } from './audit-events';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditLog } from './entities/audit-log.entity';
import { maskSecrets, sanitizeHeaders, sanitizePath } from './sanitize';

/** What the audit log knows about the request being served. Built once per request. */
export interface RequestMeta {
  method: string;
  path: string;
  headers: Record<string, unknown>;
  ip: string | null;
  user: string | null;
  apiKey: string | null;
  accountId: number | null;
}

export type AuditEntryInput = Omit<AuditLog, 'id'>;

const FLUSH_DELAY_MS = 20;
const isTransient = (err: unknown): boolean => ['unavailable', 'busy'].includes(classifyDbError(err));
const FLUSH_BATCH = 200;
const MAX_BUFFER = 20000;

/** Paths that are not part of the API and are never audited (`path`: as routePathOf gives it). */
export function isUnaudited(path: string): boolean {
  return path === '/health' || path.startsWith('/docs');
}

export function requestMeta(req: ApiRequest): RequestMeta {
  const p = req.principal;
  return {
    method: req.method,
    path: sanitizePath(req.originalUrl || req.url).slice(0, 2048),
    headers: sanitizeHeaders(req.headers as Record<string, unknown>),
    ip: req.ip ?? req.socket?.remoteAddress ?? null,
    user: p?.email ?? null,
    apiKey: p?.apiKeyId != null ? String(p.apiKeyId) : null,
    accountId: req.account?.accountId ?? null,
  };
}

/**
 * Writes audit entries. Entries that belong to a use case's transaction (lead events) are written
 * with `writeInTransaction`; every other request's entry is queued and written in batches a few
 * milliseconds later (and on shutdown), so auditing reads costs no round trip on the request path.
 */
@Injectable()
export class AuditService implements OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private buffer: AuditEntryInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly tx: TransactionService,
    private readonly repo: AuditLogsRepository,
  ) {}

  entry(
    meta: RequestMeta,
    fields: { event: AuditEventName; statusCode: number; data?: unknown; leadId?: number | null; accountId?: number | null },
  ): AuditEntryInput {
    return {
      accountId: fields.accountId !== undefined ? fields.accountId : meta.accountId,
      event: fields.event,
      user: meta.user,
      apiKey: meta.apiKey,
      data: (maskSecrets(fields.data ?? {}) as Record<string, unknown>) ?? {},
      created: new Date(),
      requestMethod: meta.method,
      requestPath: meta.path,
      requestHeaders: meta.headers,
      requestIpAddress: meta.ip,
      statusCode: fields.statusCode,
      leadId: fields.leadId ?? null,
    };
  }

  /** Inserts entries inside the caller's transaction and returns them with their ids. */
  async writeInTransaction(em: EntityManager, entries: AuditEntryInput[]): Promise<AuditLog[]> {
    if (!entries.length) return [];
    const ids = await this.repo.insertEntries(em, entries);
    return entries.map((e, i) => ({ ...e, id: ids[i] }));
  }

  /** Queues an entry to be written shortly, outside the request's critical path. */
  enqueue(entry: AuditEntryInput): void {
    if (this.buffer.length >= MAX_BUFFER) {
      this.logger.warn(`audit buffer full (${MAX_BUFFER}); dropping the oldest entry`);
      this.buffer.shift();
    }
    this.buffer.push(entry);
    if (this.buffer.length >= FLUSH_BATCH) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes every queued entry. Safe to call at any time; GET /audit-logs calls it first. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (!this.buffer.length) return;
    const batch = this.buffer.splice(0, this.buffer.length);
    // One multi-row INSERT, never inside the transaction of the request whose context happened to
    // trigger the flush.
    const insert = (entries: AuditEntryInput[]) => this.tx.detached(() => this.repo.insertBatch(this.tx.manager, entries));
    this.flushing = (async () => {
      let next = 0; // the first entry neither written nor dropped
      try {
        while (next < batch.length) {
          const chunk = batch.slice(next, next + FLUSH_BATCH);
          try {
            await insert(chunk);
            next += chunk.length;
            continue;
          } catch (err) {
            if (isTransient(err)) throw err;
          }
          // The database refused the chunk for its content: write it entry by entry and drop only the
          // refused entries, so one bad entry never blocks the log.
          for (const entry of chunk) {
            try {
              await insert([entry]);
            } catch (err) {
              if (isTransient(err)) throw err;
              this.logger.error(
                `audit entry dropped (${entry.event} ${entry.requestMethod} ${entry.requestPath}): ${(err as Error).message}`,
              );
            }
            next++;
          }
        }
      } catch (err) {
        // Keep the unwritten entries for the next flush (the database may be away); never fail a request for it.
        const rest = batch.slice(next);
        this.buffer.unshift(...rest.slice(0, MAX_BUFFER - this.buffer.length));
        this.logger.warn(`audit flush failed, ${rest.length} entries kept for retry: ${(err as Error).message}`);
        if (!this.timer) this.timer = setTimeout(() => void this.flush(), 1000);
      } finally {
        this.flushing = null;
      }
    })();
    await this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush().catch(() => undefined);
    if (this.timer) clearTimeout(this.timer);
  }
}
