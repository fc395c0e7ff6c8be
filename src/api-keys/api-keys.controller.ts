import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountContext, Actor } from '../auth/principal';
import { AuditEvent } from '../common/decorators/audit-event.decorator';
import { AccountId, CurrentAccount, CurrentActor } from '../common/decorators/current.decorators';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { Page } from '../common/list/paginate';
import { IdParam } from '../common/pipes/id-param.pipe';
import { IdempotencyRedact } from '../idempotency/idempotency.interceptor';
import { ApiKeysService } from './api-keys.service';
import {
  ApiKeyPageDto,
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  ListApiKeysQueryDto,
  UpdateApiKeyDto,
} from './dto/api-key.dto';
import { ERROR_REF } from '../openapi';
import { ApiBodyExample, ApiErrorExamples, ApiIdExample, REQUEST_EXAMPLES } from '../openapi-examples';

const NOT_HELD = {
  400: {
    permissionNotHeld: {
      summary: 'A permission the caller does not hold',
      value: {
        error: 'Validation failed',
        message: 'permissions you do not hold cannot be granted: writeUsers',
        details: [{ field: 'permissions', message: 'permissions you do not hold cannot be granted: writeUsers' }],
      },
    },
  },
};

@ApiTags('API keys')
@Controller('apikeys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Creates a key for server-to-server use. The `apiSecret` is in this answer only (an idempotent replay answers it as null). */
  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description: 'The answer holds the apiSecret, shown this once. 400 for an unknown permission or one the caller does not hold.',
  })
  @ApiBodyExample(CreateApiKeyDto, REQUEST_EXAMPLES.createApiKey)
  @ApiErrorExamples(NOT_HELD)
  @IdempotencyRedact('apiSecret')
  @RequirePermissions('writeApiKeys')
  @AuditEvent('api_key_created')
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiBadRequestResponse({
    description: 'Validation failed: unknown permissions, or permissions the caller does not hold',
    schema: ERROR_REF,
  })
  create(
    @CurrentAccount() account: AccountContext,
    @CurrentActor() actor: Actor,
    @Body() dto: CreateApiKeyDto,
  ): Promise<CreatedApiKeyResponseDto> {
    return this.keys.create(account, actor, dto);
  }

  /** The account's keys (search over name and key; sort on id, name, active, createdAt, updatedAt). */
  @Get()
  @ApiOperation({
    summary: "List the account's API keys",
    description: 'Search over name and key; sort on id, name, active, createdAt or updatedAt. 400 for an unknown filter or sort field.',
  })
  @RequirePermissions('readApiKeys')
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiBadRequestResponse({ description: 'Invalid query parameters or sort field', schema: ERROR_REF })
  list(@AccountId() accountId: number, @Query() query: ListApiKeysQueryDto): Promise<Page<ApiKeyResponseDto>> {
    return this.keys.list(accountId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an API key', description: 'Without its secret. 404 when the account has no such key.' })
  @ApiIdExample(1)
  @RequirePermissions('readApiKeys')
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiNotFoundResponse({ description: 'No such key in this account', schema: ERROR_REF })
  get(@AccountId() accountId: number, @IdParam() id: number): Promise<ApiKeyResponseDto> {
    return this.keys.get(accountId, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: "Update an API key's name, permissions or state",
    description: '400 for a permission the caller does not hold, 404 when the account has no such key.',
  })
  @ApiIdExample(1)
  @ApiBodyExample(UpdateApiKeyDto, REQUEST_EXAMPLES.updateApiKey)
  @ApiErrorExamples(NOT_HELD)
  @RequirePermissions('writeApiKeys')
  @AuditEvent('api_key_updated')
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiBadRequestResponse({ description: 'Validation failed', schema: ERROR_REF })
  @ApiNotFoundResponse({ description: 'No such key in this account', schema: ERROR_REF })
  update(
    @CurrentAccount() account: AccountContext,
    @CurrentActor() actor: Actor,
    @IdParam() id: number,
    @Body() dto: UpdateApiKeyDto,
  ): Promise<ApiKeyResponseDto> {
    return this.keys.update(account, actor, id, dto);
  }

  /** Deletes the key and answers it (without any secret); its sessions stop working at once. */
  @Delete(':id')
  @ApiOperation({
    summary: 'Delete an API key',
    description: 'Its sessions stop working at once. 404 when the account has no such key.',
  })
  @ApiIdExample(1)
  @RequirePermissions('writeApiKeys')
  @AuditEvent('api_key_deleted')
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiNotFoundResponse({ description: 'No such key in this account', schema: ERROR_REF })
  remove(@AccountId() accountId: number, @IdParam() id: number): Promise<ApiKeyResponseDto> {
    return this.keys.remove(accountId, id);
  }
}
