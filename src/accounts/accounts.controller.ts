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

@ApiTags('Accounts')
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
  ) {}

  /** The caller's accounts with their roles and permissions (a plain array, not paginated). */
  @Get()
  @ApiOperation({ summary: "List the caller's accounts" })
  @NoAccount()
  @ApiOkResponse({ type: AccountResponseDto, isArray: true, description: "The caller's accounts, oldest membership first" })
  list(@CurrentPrincipal() principal: Principal): Promise<AccountResponseDto[]> {
    return this.accounts.list(principal);
  }

  /** Creates an account (platform administrators only); the caller becomes its admin. */
  @Post()
  @ApiOperation({ summary: 'Create an account (superAdmin)' })
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
  @ApiOperation({ summary: "Update an account's name or time zone" })
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
