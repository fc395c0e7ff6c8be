import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { AccountContext, Actor } from '../auth/principal';
import { AuditEvent } from '../common/decorators/audit-event.decorator';
import { AccountId, CurrentAccount, CurrentActor } from '../common/decorators/current.decorators';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { Page } from '../common/list/paginate';
import { IdParam } from '../common/pipes/id-param.pipe';
import { IdempotencyRedact } from '../idempotency/idempotency.interceptor';
import { ERROR_REF } from '../openapi';
import { ApiBodyExample, ApiErrorExamples, ApiIdExample, fieldError, REQUEST_EXAMPLES } from '../openapi-examples';
import {
  CreatedWebhookResponseDto,
  CreateWebhookDto,
  ListDeliveriesQueryDto,
  ListWebhooksQueryDto,
  UpdateWebhookDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookPageDto,
  WebhookResponseDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

const PRIVATE_URL = {
  400: {
    privateUrl: {
      summary: 'A URL on a private address (where WEBHOOK_ALLOW_PRIVATE_URLS is off)',
      value: fieldError('url', 'url host 10.0.0.5 resolves to a private, loopback or link-local address (10.0.0.5)'),
    },
    notHttp: { summary: 'A URL that is not http or https', value: fieldError('url', 'url must be an absolute http or https URL') },
  },
};

const WebhookIdParam = () => ApiParam({ name: 'id', type: 'integer', description: 'Webhook id' });

@ApiTags('Webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** Creates a webhook. The `secret` is in this answer only (an idempotent replay answers it as null). */
  @Post()
  @ApiOperation({
    summary: 'Create a webhook',
    description:
      'Subscribes a URL to lead events. The answer holds the signing secret (`whsec_…`), shown this once. ' +
      '400 for a URL that is not http(s), carries credentials, or (where private URLs are not allowed) is on a private address.',
  })
  @ApiBodyExample(CreateWebhookDto, REQUEST_EXAMPLES.createWebhook)
  @ApiErrorExamples(PRIVATE_URL)
  @IdempotencyRedact('secret')
  @RequirePermissions('writeWebhooks')
  @AuditEvent('webhook_created')
  @ApiCreatedResponse({ type: CreatedWebhookResponseDto })
  @ApiBadRequestResponse({ description: 'Validation failed, or the URL is refused', schema: ERROR_REF })
  create(
    @CurrentAccount() account: AccountContext,
    @CurrentActor() actor: Actor,
    @Body() dto: CreateWebhookDto,
  ): Promise<CreatedWebhookResponseDto> {
    return this.webhooks.create(account, actor, dto);
  }

  @Get()
  @ApiOperation({
    summary: "List the account's webhooks",
    description:
      'Search over URL and description; sort on id, url, active, createdAt or updatedAt. 400 for an unknown filter or sort field.',
  })
  @RequirePermissions('readWebhooks')
  @ApiOkResponse({ type: WebhookPageDto })
  @ApiBadRequestResponse({ description: 'Invalid query parameters or sort field', schema: ERROR_REF })
  list(@AccountId() accountId: number, @Query() query: ListWebhooksQueryDto): Promise<Page<WebhookResponseDto>> {
    return this.webhooks.list(accountId, query);
  }

  @Get(':id')
  @WebhookIdParam()
  @ApiOperation({ summary: 'Get a webhook', description: 'Without its secret. 404 when the account has no such webhook.' })
  @ApiIdExample(1)
  @RequirePermissions('readWebhooks')
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiNotFoundResponse({ description: 'No such webhook in this account', schema: ERROR_REF })
  get(@AccountId() accountId: number, @IdParam() id: number): Promise<WebhookResponseDto> {
    return this.webhooks.get(accountId, id);
  }

  @Patch(':id')
  @WebhookIdParam()
  @ApiOperation({
    summary: "Update a webhook's URL, events, description or state",
    description:
      '400 for a refused URL, 404 when the account has no such webhook. The secret stays the same; a new url ends a pause ' +
      '(consecutiveFailures 0, the deliveries it held due at once).',
  })
  @ApiIdExample(1)
  @ApiBodyExample(UpdateWebhookDto, REQUEST_EXAMPLES.updateWebhook)
  @ApiErrorExamples(PRIVATE_URL)
  @RequirePermissions('writeWebhooks')
  @AuditEvent('webhook_updated')
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiBadRequestResponse({ description: 'Validation failed, or the URL is refused', schema: ERROR_REF })
  @ApiNotFoundResponse({ description: 'No such webhook in this account', schema: ERROR_REF })
  update(
    @CurrentAccount() account: AccountContext,
    @CurrentActor() actor: Actor,
    @IdParam() id: number,
    @Body() dto: UpdateWebhookDto,
  ): Promise<WebhookResponseDto> {
    return this.webhooks.update(account, actor, id, dto);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @WebhookIdParam()
  @ApiOperation({
    summary: "Replace a webhook's signing secret",
    description:
      'Answers the new secret, once. The old one stops at once: every attempt from now on, including retries and ' +
      'redeliveries of earlier events, is signed with the new one. 404 when the account has no such webhook.',
  })
  @ApiIdExample(1)
  @IdempotencyRedact('secret')
  @RequirePermissions('writeWebhooks')
  @AuditEvent('webhook_secret_rotated')
  @ApiOkResponse({ type: CreatedWebhookResponseDto })
  @ApiNotFoundResponse({ description: 'No such webhook in this account', schema: ERROR_REF })
  rotateSecret(@AccountId() accountId: number, @CurrentActor() actor: Actor, @IdParam() id: number): Promise<CreatedWebhookResponseDto> {
    return this.webhooks.rotateSecret(accountId, actor, id);
  }

  @Delete(':id')
  @WebhookIdParam()
  @ApiOperation({
    summary: 'Delete a webhook',
    description: 'Deletes it with its deliveries log; deliveries not yet made are dropped. 404 when the account has no such webhook.',
  })
  @ApiIdExample(1)
  @RequirePermissions('writeWebhooks')
  @AuditEvent('webhook_deleted')
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiNotFoundResponse({ description: 'No such webhook in this account', schema: ERROR_REF })
  remove(@AccountId() accountId: number, @IdParam() id: number): Promise<WebhookResponseDto> {
    return this.webhooks.remove(accountId, id);
  }

  @Post(':id/test')
  @HttpCode(200)
  @WebhookIdParam()
  @ApiOperation({
    summary: 'Send a test ping',
    description:
      'Queues a `ping` event (`data: {webhook: {id, url, events}}`), delivered, signed and retried like any event; ' +
      'its outcome shows in the deliveries log. 404 when the account has no such webhook, 409 while it is inactive.',
  })
  @ApiIdExample(1)
  @ApiErrorExamples({
    409: {
      inactive: {
        summary: 'The webhook is inactive',
        value: { error: 'Conflict', message: 'Webhook 1 is inactive; activate it to send a ping' },
      },
    },
  })
  @RequirePermissions('writeWebhooks')
  @AuditEvent('webhook_test_sent')
  @ApiOkResponse({ type: WebhookDeliveryDto, description: 'The queued delivery' })
  @ApiNotFoundResponse({ description: 'No such webhook in this account', schema: ERROR_REF })
  @ApiConflictResponse({ description: 'The webhook is inactive', schema: ERROR_REF })
  test(@AccountId() accountId: number, @IdParam() id: number): Promise<WebhookDeliveryDto> {
    return this.webhooks.ping(accountId, id);
  }

  @Get(':id/deliveries')
  @WebhookIdParam()
  @ApiOperation({
    summary: "The webhook's deliveries log",
    description:
      'One item per event delivered to the webhook (and per redelivery): status, attempts, the last HTTP status and duration, ' +
      'the next retry, and every recorded attempt. Newest first by default. 404 when the account has no such webhook.',
  })
  @ApiIdExample(1)
  @RequirePermissions('readWebhooks')
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiBadRequestResponse({ description: 'Invalid query parameters or sort field', schema: ERROR_REF })
  @ApiNotFoundResponse({ description: 'No such webhook in this account', schema: ERROR_REF })
  deliveries(
    @AccountId() accountId: number,
    @IdParam() id: number,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<Page<WebhookDeliveryDto>> {
    return this.webhooks.deliveries(accountId, id, query);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(200)
  @WebhookIdParam()
  @ApiParam({ name: 'deliveryId', type: 'integer', description: 'Delivery id (from the deliveries log)', example: 1 })
  @ApiOperation({
    summary: 'Redeliver an event',
    description:
      'Queues the delivery’s event again as a new delivery (same event id, type and body), whatever became of the first. ' +
      '404 when the account has no such webhook, or the webhook no such delivery.',
  })
  @ApiIdExample(1)
  @ApiErrorExamples({
    400: {
      invalidDeliveryId: {
        summary: 'The delivery id is not a positive integer',
        value: fieldError('deliveryId', 'deliveryId must be a positive integer'),
      },
    },
    404: { noDelivery: { summary: 'No such delivery of the webhook', value: { error: 'Not Found', message: 'Delivery not found' } } },
  })
  @RequirePermissions('writeWebhooks')
  @AuditEvent('webhook_redelivered')
  @ApiOkResponse({ type: WebhookDeliveryDto, description: 'The new delivery, queued' })
  @ApiBadRequestResponse({ description: 'An id is not a positive integer', schema: ERROR_REF })
  @ApiNotFoundResponse({ description: 'No such webhook or delivery', schema: ERROR_REF })
  redeliver(@AccountId() accountId: number, @IdParam() id: number, @IdParam('deliveryId') deliveryId: number): Promise<WebhookDeliveryDto> {
    return this.webhooks.redeliver(accountId, id, deliveryId);
  }
}
