import { Body, Controller, Get, Patch, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuditService, requestMeta } from '../audit/audit.service';
import { ApiRequest, Principal } from '../auth/principal';
import { AuditEvent } from '../common/decorators/audit-event.decorator';
import { CurrentPrincipal } from '../common/decorators/current.decorators';
import { NoAccount } from '../common/decorators/no-account.decorator';
import { IdParam } from '../common/pipes/id-param.pipe';
import { AccountsService } from './accounts.service';
import { AccountResponseDto, CreateAccountDto, UpdateAccountDto } from './dto/account.dto';
import { ERROR_REF } from '../openapi';
import { ApiBodyExample, ApiErrorExamples, ApiIdExample, DEMO_IDS, REQUEST_EXAMPLES } from '../openapi-examples';

@ApiTags('Accounts')
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
  ) {}

  /** The caller's accounts with their roles and permissions (a plain array, not paginated). */
  @Get()
  @ApiOperation({ summary: "List the caller's accounts", description: 'With the role and permissions in each; a plain array.' })
  @NoAccount()
  @ApiOkResponse({ type: AccountResponseDto, isArray: true, description: "The caller's accounts, oldest membership first" })
  list(@CurrentPrincipal() principal: Principal): Promise<AccountResponseDto[]> {
    return this.accounts.list(principal);
  }

  /** Creates an account (platform administrators only); the caller becomes its admin. */
  @Post()
  @ApiOperation({
    summary: 'Create an account (superAdmin)',
    description: 'Platform administrators (superAdmin) only; the caller becomes its admin. 403 for anyone else.',
  })
  @ApiBodyExample(CreateAccountDto, REQUEST_EXAMPLES.createAccount)
  @ApiErrorExamples({
    403: {
      notSuperAdmin: {
        summary: 'The caller is not a platform administrator',
        value: { error: 'Forbidden', message: 'Only a platform administrator (superAdmin) can create accounts' },
      },
    },
  })
  @NoAccount()
  @AuditEvent('account_created')
  @ApiCreatedResponse({ type: AccountResponseDto, description: 'The new account, as the caller sees it' })
  @ApiBadRequestResponse({ description: 'Validation failed', schema: ERROR_REF })
  @ApiForbiddenResponse({ description: 'The caller is not a platform administrator (superAdmin)', schema: ERROR_REF })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateAccountDto,
    @Req() req: ApiRequest,
  ): Promise<AccountResponseDto> {
    const account = await this.accounts.create(principal, dto);
    // Recorded in the new account's log (the request itself names no account), so it opens its history.
    this.audit.enqueue(
      this.audit.entry(requestMeta(req), {
        event: 'account_created',
        statusCode: 201,
        accountId: Number(account.accountId),
        data: { params: req.params, query: req.query, body: req.body },
      }),
    );
    req.audit = { ...(req.audit ?? {}), recorded: true };
    return account;
  }

  /**
   * Changes the account's name or time zone. The account is named by the path (no x-account-id);
   * the caller must be its admin, in a user session, or a platform administrator (superAdmin).
   */
  @Patch(':id')
  @ApiOperation({
    summary: "Update an account's name or time zone",
    description:
      'The account is named by the path, not x-account-id. Its admins (in a user session) and platform administrators ' +
      "only: 403 for other members and API keys, 404 for an account that is not the caller's.",
  })
  @ApiIdExample(DEMO_IDS.accountId)
  @ApiBodyExample(UpdateAccountDto, REQUEST_EXAMPLES.updateAccount)
  @ApiErrorExamples({
    400: {
      badTimeZone: {
        summary: 'timeZone is not an IANA time zone name',
        value: {
          error: 'timeZone must be an IANA time zone name',
          details: [{ field: 'timeZone', message: 'must be an IANA time zone name' }],
        },
      },
    },
    403: {
      notAdmin: {
        summary: 'A member who is not an admin',
        value: { error: 'Forbidden', message: 'Only an admin of this account can change it' },
      },
      apiKey: { summary: 'An API key', value: { error: 'Forbidden', message: 'API keys cannot change accounts' } },
    },
  })
  @NoAccount()
  @AuditEvent('account_updated')
  @ApiOkResponse({ type: AccountResponseDto, description: 'The account, as the caller sees it in GET /accounts' })
  @ApiBadRequestResponse({ description: 'Validation failed, or timeZone is not an IANA time zone name', schema: ERROR_REF })
  @ApiForbiddenResponse({ description: 'The caller is a member but not an admin of the account, or an API key', schema: ERROR_REF })
  @ApiNotFoundResponse({ description: "Not one of the caller's accounts (or no such account)", schema: ERROR_REF })
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: number,
    @Body() dto: UpdateAccountDto,
    @Req() req: ApiRequest,
  ): Promise<AccountResponseDto> {
    const account = await this.accounts.update(principal, id, dto);
    // The route names no account in x-account-id: the entry (written with the change) goes to this one's log.
    req.audit = { ...(req.audit ?? { recorded: false }), accountId: id };
    return account;
  }
}
