import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  registerDecorator,
  ValidationArguments,
} from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { PageOf } from '../../common/list/page.dto';
import { QueryBool } from '../../common/list/query-transforms';
import { ClosedBody, SortQuery } from '../../common/openapi/schema-decorators';
import { OptionalNotNull, TrimString } from '../../common/validation/dto-decorators';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../entities/webhook-delivery.entity';
import { PING_EVENT, WEBHOOK_EVENTS, type WebhookEventType } from '../webhook-events';
import { urlProblem } from '../webhook-targets';

/** An http(s) URL without credentials; the message says what is wrong. */
function IsWebhookUrl(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isWebhookUrl',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && urlProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) =>
          `${args!.property} ${typeof args!.value === 'string' ? urlProblem(args!.value) : 'must be a string'}`,
      },
    });
  };
}

const URL_DESCRIPTION =
  'Where deliveries are POSTed: http or https, no credentials. Unless WEBHOOK_ALLOW_PRIVATE_URLS is on (not in production), ' +
  'a host that is or resolves to a loopback, private, link-local or unspecified address is refused.';
const EVENTS_DESCRIPTION = 'The lead events to deliver (at least one; duplicates are dropped)';

@ClosedBody()
export class CreateWebhookDto {
  @ApiProperty({ description: URL_DESCRIPTION, example: 'https://hooks.example.com/leads', maxLength: 2048, format: 'uri' })
  @TrimString()
  @IsString()
  @MaxLength(2048)
  @IsWebhookUrl()
  url: string;

  @ApiProperty({
    description: EVENTS_DESCRIPTION,
    enum: WEBHOOK_EVENTS,
    isArray: true,
    minItems: 1,
    maxItems: 6,
    example: ['lead.created'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length * 4)
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events: WebhookEventType[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, description: 'What the webhook is for' })
  @IsOptional()
  @TrimString()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ description: 'An inactive webhook receives nothing; its pending deliveries wait until it is active again' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

@ClosedBody()
export class UpdateWebhookDto {
  @ApiPropertyOptional({ description: URL_DESCRIPTION, maxLength: 2048, format: 'uri' })
  @OptionalNotNull()
  @TrimString()
  @IsString()
  @MaxLength(2048)
  @IsWebhookUrl()
  url?: string;

  @ApiPropertyOptional({ description: EVENTS_DESCRIPTION, enum: WEBHOOK_EVENTS, isArray: true, minItems: 1, maxItems: 6 })
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length * 4)
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events?: WebhookEventType[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, description: 'What the webhook is for' })
  @IsOptional()
  @TrimString()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ description: 'An inactive webhook receives nothing; its pending deliveries wait until it is active again' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

/** The sort keys of GET /webhooks (WEBHOOK_LIST_SPEC.sortable). */
export const WEBHOOK_SORT_FIELDS = ['id', 'url', 'active', 'createdAt', 'updatedAt'] as const;

export class ListWebhooksQueryDto extends ListQueryDto {
  @SortQuery(WEBHOOK_SORT_FIELDS, 'id')
  declare sort?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBool()
  @IsBoolean()
  active?: boolean;
}

/** A webhook as listed and read: never its secret. */
export class WebhookResponseDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;

  @ApiProperty({ example: '2311' })
  accountId: string;

  @ApiProperty({ example: 'https://hooks.example.com/leads' })
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['lead.created'] })
  events: WebhookEventType[];

  @ApiProperty({ type: String, nullable: true, example: 'Dialer' })
  description: string | null;

  @ApiProperty()
  active: boolean;

  @ApiProperty({ type: 'integer', description: 'Attempts that failed in a row, across deliveries; a success resets it.', example: 0 })
  consecutiveFailures: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the first of those failures happened.',
    example: null,
  })
  failingSince: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'Set after WEBHOOK_PAUSE_AFTER_FAILURES failures in a row: until then no delivery is attempted but pings. ' +
      'A successful attempt (a ping, say) ends the pause and makes the waiting deliveries due at once.',
    example: null,
  })
  pausedUntil: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'admin@example.com' })
  createdBy: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'admin@example.com' })
  updatedBy: string | null;

  @ApiProperty({ format: 'date-time', example: '2024-05-01T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2024-05-01T12:00:00.000Z' })
  updatedAt: string;
}

export class CreatedWebhookResponseDto extends WebhookResponseDto {
  @ApiProperty({
    description:
      'The signing secret, shown only in this response: store it now, it cannot be read again. Each delivery carries ' +
      '`Leads-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with this secret>`.',
    example: 'whsec_5Wq0mYt3c1m7x2cVb8nJkLp4sRfTgHy6uIoPaSdFgHj',
  })
  secret: string;
}

export class WebhookPageDto extends PageOf(() => WebhookResponseDto) {}

/** The sort keys of GET /webhooks/{id}/deliveries. */
export const DELIVERY_SORT_FIELDS = ['id', 'createdAt', 'updatedAt'] as const;
const DELIVERY_EVENT_TYPES = [...WEBHOOK_EVENTS, PING_EVENT] as const;

export class ListDeliveriesQueryDto extends ListQueryDto {
  @SortQuery(DELIVERY_SORT_FIELDS, '-id')
  declare sort?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ enum: DELIVERY_EVENT_TYPES })
  @IsOptional()
  @IsIn(DELIVERY_EVENT_TYPES)
  eventType?: string;

  @ApiPropertyOptional({ description: 'The event id (`evt_…`)', maxLength: 40 })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  eventId?: string;
}

/** One recorded attempt of a delivery. */
export class WebhookAttemptDto {
  @ApiProperty({ type: 'integer', description: '1 for the first attempt', example: 1 })
  attempt: number;

  @ApiProperty({ format: 'date-time', example: '2024-05-01T12:00:00.120Z' })
  at: string;

  @ApiProperty({ type: 'integer', nullable: true, description: "The receiver's HTTP status; null without an answer", example: 500 })
  statusCode: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why there was no answer (timeout, connection, refused address)' })
  error: string | null;

  @ApiProperty({ type: 'integer', example: 84 })
  durationMs: number;
}

/** An event's delivery to the webhook, with every attempt recorded. */
export class WebhookDeliveryDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;

  @ApiProperty({ description: 'The event id, also sent as `Leads-Event-Id`', example: 'evt_6f1c2a0b9d8e4f7a8b5c3d2e1f0a9b8c' })
  eventId: string;

  @ApiProperty({ enum: DELIVERY_EVENT_TYPES, example: 'lead.created' })
  eventType: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The lead the event is about (null for a ping)', example: 42 })
  leadId: number | null;

  @ApiProperty({ enum: DELIVERY_STATUSES, description: 'pending until a 2xx answer (delivered) or the last attempt (failed)' })
  status: DeliveryStatus;

  @ApiProperty({ type: 'integer', description: 'Attempts made so far', example: 1 })
  attempts: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'HTTP status of the last attempt', example: 200 })
  lastStatusCode: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt got no answer' })
  lastError: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Duration of the last attempt', example: 84 })
  durationMs: number | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the next attempt is due (null once delivered or failed)',
  })
  nextAttemptAt: string | null;

  @ApiProperty({ format: 'date-time', description: 'When the event happened', example: '2024-05-01T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2024-05-01T12:00:00.120Z' })
  updatedAt: string;

  @ApiProperty({ type: () => [WebhookAttemptDto], description: 'Every recorded attempt, oldest first' })
  attemptLog: WebhookAttemptDto[];
}

export class WebhookDeliveryPageDto extends PageOf(() => WebhookDeliveryDto) {}
