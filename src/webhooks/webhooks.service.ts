import { Injectable } from '@nestjs/common';
import type { AccountContext, Actor } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { validationFailed } from '../common/errors/validation-failed';
import { ListSpec, Page, paginate } from '../common/list/paginate';
import { AppConfigType, InjectAppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import {
  CreatedWebhookResponseDto,
  CreateWebhookDto,
  DELIVERY_SORT_FIELDS,
  ListDeliveriesQueryDto,
  ListWebhooksQueryDto,
  UpdateWebhookDto,
  WEBHOOK_SORT_FIELDS,
  WebhookDeliveryDto,
  WebhookResponseDto,
} from './dto/webhook.dto';
import { Webhook } from './entities/webhook.entity';
import { newEventId, PING_EVENT, WEBHOOK_EVENTS, WebhookEventType } from './webhook-events';
import { deriveWebhookKey, encryptSecret, generateWebhookSecret } from './webhook-secrets';
import { privateTargetProblem } from './webhook-targets';
import { toDeliveryResponse, toWebhookResponse } from './webhook.mapper';
import { WebhooksRepository } from './webhooks.repository';
import { WebhookWorkerService } from './webhook-worker.service';

export const WEBHOOK_LIST_SPEC: ListSpec = {
  sortable: {
    id: 'w.id',
    url: 'w.url',
    active: 'w.active',
    createdAt: 'w.created_at',
    updatedAt: 'w.updated_at',
  } satisfies Record<(typeof WEBHOOK_SORT_FIELDS)[number], string>,
  searchable: ['w.url', 'w.description'],
  defaultSort: 'id',
  idColumn: 'w.id',
  nullable: ['w.description'],
};

export const DELIVERY_LIST_SPEC: ListSpec = {
  sortable: {
    id: 'd.id',
    createdAt: 'd.created_at',
    updatedAt: 'd.updated_at',
  } satisfies Record<(typeof DELIVERY_SORT_FIELDS)[number], string>,
  searchable: ['d.event_id', 'd.event_type'],
  defaultSort: '-id',
  idColumn: 'd.id',
};

/** The subscribed events in their canonical order, without duplicates. */
const normalizeEvents = (events: readonly string[]): WebhookEventType[] => WEBHOOK_EVENTS.filter((e) => events.includes(e));

/**
 * The webhook use cases (§9): the webhooks of an account, their deliveries log, test pings and
 * redeliveries. Lead events reach the outbox from the lead writes themselves (WebhookOutboxRepository).
 */
@Injectable()
export class WebhooksService {
  private readonly key: Buffer;

  constructor(
    private readonly tx: TransactionService,
    private readonly repo: WebhooksRepository,
    private readonly worker: WebhookWorkerService,
    @InjectAppConfig() private readonly config: AppConfigType,
  ) {
    this.key = deriveWebhookKey(config.webhooks.secretKey);
  }

  list(accountId: number, query: ListWebhooksQueryDto): Promise<Page<WebhookResponseDto>> {
    return paginate(this.repo.listQuery(this.tx.manager, accountId, { active: query.active }), query, WEBHOOK_LIST_SPEC, toWebhookResponse);
  }

  async get(accountId: number, id: number): Promise<WebhookResponseDto> {
    return toWebhookResponse(await this.found(accountId, id));
  }

  /** Creates a webhook; its secret appears in this answer only (the database keeps it encrypted). */
  async create(account: AccountContext, actor: Actor, dto: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    await this.checkTarget(dto.url);
    const secret = generateWebhookSecret();
    const saved = await this.tx.run((em) =>
      this.repo.insert(em, account.accountId, {
        url: dto.url,
        events: normalizeEvents(dto.events),
        description: dto.description ?? null,
        active: dto.active ?? true,
        secretEncrypted: encryptSecret(this.key, secret),
        createdBy: actor.email,
        updatedBy: actor.email,
      }),
    );
    return { ...toWebhookResponse(saved), secret };
  }

  async update(account: AccountContext, actor: Actor, id: number, dto: UpdateWebhookDto): Promise<WebhookResponseDto> {
    if (dto.url !== undefined) await this.checkTarget(dto.url);
    return this.tx.run(async (em) => {
      const webhook = await this.repo.findInAccount(em, account.accountId, id, { lock: true });
      if (!webhook) throw ApiError.notFound('Webhook');
      const pausedUntil = webhook.pausedUntil;
      if (dto.url !== undefined && dto.url !== webhook.url) {
        // A new URL is a new receiver: its predecessor's failures say nothing about it.
        webhook.url = dto.url;
        Object.assign(webhook, { consecutiveFailures: 0, failingSince: null, pausedUntil: null });
      }
      if (dto.events !== undefined) webhook.events = normalizeEvents(dto.events);
      if (dto.description !== undefined) webhook.description = dto.description;
      if (dto.active !== undefined) webhook.active = dto.active;
      webhook.updatedBy = actor.email;
      const saved = await this.repo.save(em, webhook);
      if (pausedUntil && !saved.pausedUntil) {
        await this.repo.resume(em, account.accountId, id, pausedUntil, new Date());
        this.tx.afterCommit(em, () => this.worker.wake());
      }
      return toWebhookResponse(saved);
    });
  }

  /**
   * A new signing secret, in this answer only; the old one stops at once. Signatures are made at each
   * attempt, so deliveries still due are signed with the new one.
   */
  rotateSecret(accountId: number, actor: Actor, id: number): Promise<CreatedWebhookResponseDto> {
    const secret = generateWebhookSecret();
    return this.tx.run(async (em) => {
      const webhook = await this.repo.findInAccount(em, accountId, id, { lock: true });
      if (!webhook) throw ApiError.notFound('Webhook');
      webhook.secretEncrypted = encryptSecret(this.key, secret);
      webhook.updatedBy = actor.email;
      return { ...toWebhookResponse(await this.repo.save(em, webhook)), secret };
    });
  }

  /** Deletes the webhook with its deliveries log; deliveries not yet made are dropped. */
  remove(accountId: number, id: number): Promise<WebhookResponseDto> {
    return this.tx.run(async (em) => {
      const webhook = await this.repo.findInAccount(em, accountId, id, { lock: true });
      if (!webhook) throw ApiError.notFound('Webhook');
      await this.repo.delete(em, accountId, id);
      return toWebhookResponse(webhook);
    });
  }

  /** Queues a `ping` to the webhook, delivered (and retried) like any event. 409 while it is inactive. */
  async ping(accountId: number, id: number): Promise<WebhookDeliveryDto> {
    const delivery = await this.tx.run(async (em) => {
      const webhook = await this.repo.findInAccount(em, accountId, id);
      if (!webhook) throw ApiError.notFound('Webhook');
      if (!webhook.active) throw ApiError.conflict(`Webhook ${id} is inactive; activate it to send a ping`);
      return this.repo.insertDelivery(em, accountId, {
        webhookId: id,
        eventId: newEventId(),
        eventType: PING_EVENT,
        leadId: null,
        data: { webhook: { id: webhook.id, url: webhook.url, events: webhook.events } },
        createdAt: new Date(),
      });
    });
    this.worker.wake();
    return toDeliveryResponse(delivery, []);
  }

  /** The deliveries log; a page and its attempts are read on one snapshot, so each delivery agrees with its attempts. */
  async deliveries(accountId: number, id: number, query: ListDeliveriesQueryDto): Promise<Page<WebhookDeliveryDto>> {
    await this.found(accountId, id);
    const filters = { status: query.status, eventType: query.eventType, eventId: query.eventId };
    return this.tx.snapshot(async (em) => {
      const page = await paginate(this.repo.deliveriesQuery(em, accountId, id, filters), query, DELIVERY_LIST_SPEC);
      const attempts = await this.repo.attemptsOf(
        em,
        accountId,
        page.data.map((d) => Number(d.id)),
      );
      return { ...page, data: page.data.map((d) => toDeliveryResponse(d, attempts.get(Number(d.id)) ?? [])) };
    });
  }

  /**
   * Sends a delivery's event again, as a new delivery of the same event (same id, type and body),
   * whatever became of the first: the log keeps both.
   */
  async redeliver(accountId: number, id: number, deliveryId: number): Promise<WebhookDeliveryDto> {
    const delivery = await this.tx.run(async (em) => {
      const webhook = await this.repo.findInAccount(em, accountId, id);
      if (!webhook) throw ApiError.notFound('Webhook');
      const original = await this.repo.findDelivery(em, accountId, id, deliveryId);
      if (!original) throw ApiError.notFound('Delivery');
      return this.repo.insertDelivery(em, accountId, {
        webhookId: id,
        eventId: original.eventId,
        eventType: original.eventType,
        leadId: original.leadId,
        data: original.data,
        createdAt: original.createdAt,
      });
    });
    this.worker.wake();
    return toDeliveryResponse(delivery, []);
  }

  private async found(accountId: number, id: number): Promise<Webhook> {
    const webhook = await this.repo.findInAccount(this.tx.manager, accountId, id);
    if (!webhook) throw ApiError.notFound('Webhook');
    return webhook;
  }

  /** 400 for a URL deliveries would refuse (a private target where those are not allowed). */
  private async checkTarget(url: string): Promise<void> {
    if (this.config.webhooks.allowPrivateUrls) return;
    const problem = await privateTargetProblem(url);
    if (problem) throw validationFailed([{ field: 'url', message: `url ${problem}` }]);
  }
}
