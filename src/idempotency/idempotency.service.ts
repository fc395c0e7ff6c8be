import { createHmac } from 'node:crypto';
import { HttpStatus, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiRequest } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { tryAdvisoryLock } from '../database/locking';
import { TransactionService } from '../database/transaction.service';
import { LessThan } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { IdempotencyKey } from './entities/idempotency-key.entity';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const MAX_KEY_LENGTH = 255;
/** Namespace of the advisory locks taken for idempotency keys (first argument of the two-int form). */
const ADVISORY_NAMESPACE = 0x1ead;
const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` hash the same. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The response as stored for replay, with secrets shown only once (e.g. a new API key's secret) set to null. */
function storedBody(body: unknown, redact: readonly string[]): unknown {
  if (body === undefined) return null;
  const copy = JSON.parse(JSON.stringify(body)) as unknown;
  if (copy && typeof copy === 'object' && !Array.isArray(copy)) {
    for (const field of redact) if (field in copy) (copy as Record<string, unknown>)[field] = null;
  }
  return copy;
}

/**
 * Stripe-style idempotent creates. The record of a completed request is inserted in the same
 * transaction as the create itself, so a retry after a crash either finds the committed result or
 * nothing at all (never a half-done create). While a request holds a key, a second one with the
 * same key gets 409: on PostgreSQL through a transaction-scoped advisory lock (so this holds across
 * instances), in this process through an in-flight set.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyService.name);
  private readonly inFlight = new Set<string>();
  private purgeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly tx: TransactionService,
    @InjectAppConfig() private readonly config: AppConfigType,
  ) {}

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => {
      this.purgeExpired().catch((e: Error) => this.logger.warn(`purge of expired idempotency keys failed: ${e.message}`));
    }, PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  onApplicationShutdown(): void {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
  }

  /** Validates the header value; returns null when the request carries no key. */
  static parseKey(raw: string | string[] | undefined): string | null {
    if (raw === undefined) return null;
    if (typeof raw !== 'string' || raw.length < 1 || raw.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(raw)) {
      throw new ApiError(
        HttpStatus.BAD_REQUEST,
        'Invalid Idempotency-Key',
        `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} printable ASCII characters without spaces`,
      );
    }
    return raw;
  }

  /**
   * Fingerprint of the request, to tell a replay from a different request with the same key. Keyed
   * with the server's secret: a body may hold a password, and a plain hash of it would be guessable.
   */
  requestHash(req: ApiRequest): string {
    return createHmac('sha256', this.config.jwt.secret)
      .update(canonical([req.method, req.originalUrl, req.body ?? null]))
      .digest('hex');
  }

  /**
   * Runs `handler` once per (account, caller, key): a repeat with the same request replays the stored
   * response with `Idempotent-Replayed: true`; a repeat with a different request → 422; a repeat while
   * the first is still running → 409. Only successful results are stored: a failed request rolls back
   * with its transaction and the key can be used again.
   */
  async execute(
    req: ApiRequest,
    res: FastifyReply,
    key: string,
    status: number,
    handler: () => Promise<unknown>,
    redact: readonly string[] = [],
  ): Promise<unknown> {
    const principal = req.principal!;
    const accountId = req.account?.accountId ?? 0;
    const caller = principal.apiKeyId !== null ? `apikey:${principal.apiKeyId}` : `user:${principal.userId}`;
    const scope = `${accountId}:${caller}:${key}`;
    const hash = this.requestHash(req);
    if (this.inFlight.has(scope)) throw this.inProgress();
    this.inFlight.add(scope);
    try {
      return await this.tx.run(async (em) => {
        if (!(await tryAdvisoryLock(em, ADVISORY_NAMESPACE, scope))) throw this.inProgress();
        const existing = await em.findOne(IdempotencyKey, { where: { accountId, principal: caller, key } });
        if (existing && existing.expiresAt.getTime() > Date.now()) {
          if (existing.requestHash !== hash) {
            throw new ApiError(
              HttpStatus.UNPROCESSABLE_ENTITY,
              'Unprocessable Entity',
              'This Idempotency-Key was already used with a different request',
            );
          }
          res.status(existing.responseStatus).header('Idempotent-Replayed', 'true');
          req.audit = { ...(req.audit ?? { recorded: false }), event: 'idempotent_replay' };
          return existing.responseBody;
        }
        if (existing) await em.delete(IdempotencyKey, { id: existing.id });
        const body = await handler();
        const now = new Date();
        await em.insert(IdempotencyKey, {
          accountId,
          principal: caller,
          key,
          requestMethod: req.method,
          requestPath: req.originalUrl.slice(0, 2048),
          requestHash: hash,
          // The handler may answer another success than the route's (a duplicate lead's 200).
          responseStatus: res.statusCode >= 200 && res.statusCode < 300 ? res.statusCode : status,
          responseBody: storedBody(body, redact),
          createdAt: now,
          expiresAt: new Date(now.getTime() + this.config.idempotencyTtlSeconds * 1000),
        } as QueryDeepPartialEntity<IdempotencyKey>);
        return body;
      });
    } finally {
      this.inFlight.delete(scope);
    }
  }

  /** Deletes records past their replay window; runs every few minutes on every instance. */
  async purgeExpired(now = new Date()): Promise<number> {
    const result = await this.tx.run((em) => em.delete(IdempotencyKey, { expiresAt: LessThan(now) }));
    return result.affected ?? 0;
  }

  private inProgress(): ApiError {
    return new ApiError(HttpStatus.CONFLICT, 'Conflict', 'A request with this Idempotency-Key is still being processed');
  }
}
