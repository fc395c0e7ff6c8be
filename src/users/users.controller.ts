import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtension,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AccountContext, Actor } from '../auth/principal';
import { AuditEvent } from '../common/decorators/audit-event.decorator';
import { AccountId, CurrentAccount, CurrentActor } from '../common/decorators/current.decorators';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { Page } from '../common/list/paginate';
import { IdParam } from '../common/pipes/id-param.pipe';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserPageDto, UserResponseDto } from './dto/user.dto';
import { UsersService } from './users.service';
import { ERROR_REF } from '../openapi';
import { ApiBodyExample, ApiErrorExamples, ApiIdExample, DEMO_IDS, REQUEST_EXAMPLES } from '../openapi-examples';

const LAST_ADMIN = 'The change would leave the account without an active admin';
const LAST_ADMIN_EXAMPLE = {
  lastAdmin: {
    summary: 'The account would have no active admin',
    value: { error: 'Conflict', message: 'The account must keep at least one active admin: make another member admin first' },
  },
};

@ApiTags('Users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /**
   * Adds a user to the account, creating the user when the email is new; the answer is the same
   * either way. The role's permissions must all be the caller's own (403 otherwise).
   */
  @Post()
  @ApiOperation({
    summary: 'Add a user to the account',
    description:
      'Creates the user when the email is new; the answer is the same either way. 403 when the role has a permission ' +
      'the caller lacks, 409 when the user already is a member.',
  })
  @ApiBodyExample(CreateUserDto, REQUEST_EXAMPLES.createUser)
  @ApiErrorExamples({
    409: {
      alreadyMember: { summary: 'Already a member', value: { error: 'Conflict', message: 'This user is already a member of the account' } },
    },
  })
  @RequirePermissions('writeUsers')
  @AuditEvent('user_added')
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiBadRequestResponse({ description: 'Validation failed', schema: ERROR_REF })
  @ApiConflictResponse({ description: 'The user is already a member of the account', schema: ERROR_REF })
  create(@CurrentAccount() account: AccountContext, @CurrentActor() actor: Actor, @Body() dto: CreateUserDto): Promise<UserResponseDto> {
    return this.users.create(account, actor, dto);
  }

  /** The account's users (search over email and name; sort on id, email, name, role, active, createdAt). */
  @Get()
  @ApiOperation({
    summary: "List the account's users",
    description: 'Search over email and name; sort on id, email, name, role, active or createdAt. 400 for an unknown filter or sort field.',
  })
  @RequirePermissions('readUsers')
  @ApiOkResponse({ type: UserPageDto })
  @ApiBadRequestResponse({ description: 'Invalid query parameters or sort field', schema: ERROR_REF })
  list(@AccountId() accountId: number, @Query() query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    return this.users.list(accountId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user of the account', description: '404 when the user is no member of the account.' })
  @ApiIdExample(DEMO_IDS.anaUserId)
  @RequirePermissions('readUsers')
  @ApiOkResponse({ type: UserResponseDto })
  @ApiNotFoundResponse({ description: 'No such user in this account', schema: ERROR_REF })
  get(@AccountId() accountId: number, @IdParam() id: number): Promise<UserResponseDto> {
    return this.users.get(accountId, id);
  }

  /**
   * Needs writeUsers, except for a user session changing only its own `away`/`awayUntil`: the service
   * checks it (the guard cannot tell), so the permission is documented here, not required. The caller
   * must hold every permission of the member's role, and of the new role if one is sent (403 otherwise).
   */
  @Patch(':id')
  @ApiOperation({
    summary: "Update a user's name, role, membership or availability",
    description:
      'A user may change their own away and awayUntil without writeUsers. 403 when the caller lacks a permission of the ' +
      "member's role or of the role sent, 409 when no active admin would be left or the name belongs to a user of other accounts.",
  })
  @ApiIdExample(DEMO_IDS.anaUserId)
  @ApiBodyExample(UpdateUserDto, REQUEST_EXAMPLES.updateUser)
  @ApiErrorExamples({
    409: {
      ...LAST_ADMIN_EXAMPLE,
      sharedUser: {
        summary: 'The name of a user of other accounts',
        value: { error: 'Conflict', message: 'This user also belongs to other accounts: only they can change their name' },
      },
    },
  })
  @ApiExtension('x-permissions', ['writeUsers'])
  @ApiForbiddenResponse({
    description:
      'Forbidden - User does not have the required permissions (writeUsers, unless a user changes only their own away/awayUntil), ' +
      "or lacks a permission of the member's role or of the role sent",
    schema: ERROR_REF,
  })
  @AuditEvent('user_updated')
  @ApiOkResponse({ type: UserResponseDto })
  @ApiBadRequestResponse({ description: 'Validation failed', schema: ERROR_REF })
  @ApiNotFoundResponse({ description: 'No such user in this account', schema: ERROR_REF })
  @ApiConflictResponse({ description: LAST_ADMIN, schema: ERROR_REF })
  update(
    @CurrentAccount() account: AccountContext,
    @CurrentActor() actor: Actor,
    @IdParam() id: number,
    @Body() dto: UpdateUserDto,
  ): Promise<UserResponseDto> {
    return this.users.update(account, actor, id, dto);
  }

  /** Removes the user from the account and answers the removed membership; the caller must hold every permission of their role (403 otherwise). */
  @Delete(':id')
  @ApiOperation({
    summary: 'Remove a user from the account',
    description: "403 when the caller lacks a permission of the member's role, 409 when no active admin would be left.",
  })
  @ApiIdExample(DEMO_IDS.cleoUserId)
  @ApiErrorExamples({ 409: LAST_ADMIN_EXAMPLE })
  @RequirePermissions('writeUsers')
  @AuditEvent('user_removed')
  @ApiOkResponse({ type: UserResponseDto })
  @ApiNotFoundResponse({ description: 'No such user in this account', schema: ERROR_REF })
  @ApiConflictResponse({ description: LAST_ADMIN, schema: ERROR_REF })
  remove(@CurrentAccount() account: AccountContext, @CurrentActor() actor: Actor, @IdParam() id: number): Promise<UserResponseDto> {
    return this.users.remove(account, actor, id);
  }
}
