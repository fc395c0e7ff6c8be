import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
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
import type { Actor } from '../auth/principal';
import { AuditEvent } from '../common/decorators/audit-event.decorator';
import { AccountId, CurrentActor } from '../common/decorators/current.decorators';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { Page } from '../common/list/paginate';
import { IdParam } from '../common/pipes/id-param.pipe';
import { CreateTeamDto, UpdateTeamDto } from './dto/team-input.dto';
import { ListTeamsQueryDto } from './dto/list-teams-query.dto';
import { TeamPageDto, TeamResponseDto } from './dto/team-response.dto';
import { TeamsService } from './teams.service';
import { ERROR_REF } from '../openapi';
import { ApiBodyExample, ApiErrorExamples, ApiIdExample, DEMO_IDS, REQUEST_EXAMPLES } from '../openapi-examples';

const MEMBER_NOT_A_USER = {
  400: {
    memberNotAUser: {
      summary: 'A member is not a user of the account',
      value: {
        error: 'Validation failed',
        message: 'user 99 is not a user of this account',
        details: [{ field: 'members.0.userId', message: 'user 99 is not a user of this account' }],
      },
    },
  },
};

const TeamIdParam = () => ApiParam({ name: 'id', type: 'integer', description: 'Team id' });

@ApiTags('Teams')
@Controller('teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Post()
  @RequirePermissions('writeTeams')
  @AuditEvent('team_created')
  @ApiOperation({
    summary: 'Create a team',
    description: 'Creates a team with its members. 400 when a member is not a user of the account.',
  })
  @ApiBodyExample(CreateTeamDto, REQUEST_EXAMPLES.createTeam)
  @ApiErrorExamples(MEMBER_NOT_A_USER)
  @ApiCreatedResponse({ type: TeamResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid body, or a member is not a user of the account', schema: ERROR_REF })
  create(@AccountId() accountId: number, @CurrentActor() actor: Actor, @Body() dto: CreateTeamDto): Promise<TeamResponseDto> {
    return this.teams.create(accountId, actor, dto);
  }

  @Get()
  @RequirePermissions('readTeams')
  @ApiOperation({
    summary: 'List teams (active ones unless `active=false`)',
    description: "A page of the account's teams with their members. 400 for an unknown filter or sort field.",
  })
  @ApiOkResponse({ type: TeamPageDto })
  @ApiBadRequestResponse({ description: 'Invalid filter, page or sort', schema: ERROR_REF })
  list(@AccountId() accountId: number, @Query() query: ListTeamsQueryDto): Promise<Page<TeamResponseDto>> {
    return this.teams.list(accountId, query);
  }

  @Get(':id')
  @RequirePermissions('readTeams')
  @TeamIdParam()
  @ApiOperation({ summary: 'Get a team', description: 'The team with its members. 404 when the account has no such team.' })
  @ApiIdExample(DEMO_IDS.teamId)
  @ApiOkResponse({ type: TeamResponseDto })
  @ApiNotFoundResponse({ description: 'No such team in the account', schema: ERROR_REF })
  get(@AccountId() accountId: number, @IdParam() id: number): Promise<TeamResponseDto> {
    return this.teams.get(accountId, id);
  }

  @Patch(':id')
  @RequirePermissions('writeTeams')
  @AuditEvent('team_updated')
  @TeamIdParam()
  @ApiOperation({
    summary: 'Update a team; `members` replaces the member list',
    description: 'Changes the given fields. 400 when a member is not a user of the account, 404 when the account has no such team.',
  })
  @ApiIdExample(DEMO_IDS.teamId)
  @ApiBodyExample(UpdateTeamDto, REQUEST_EXAMPLES.updateTeam)
  @ApiErrorExamples(MEMBER_NOT_A_USER)
  @ApiOkResponse({ type: TeamResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid body, or a member is not a user of the account', schema: ERROR_REF })
  @ApiNotFoundResponse({ description: 'No such team in the account', schema: ERROR_REF })
  update(
    @AccountId() accountId: number,
    @CurrentActor() actor: Actor,
    @IdParam() id: number,
    @Body() dto: UpdateTeamDto,
  ): Promise<TeamResponseDto> {
    return this.teams.update(accountId, actor, id, dto);
  }

  @Delete(':id')
  @RequirePermissions('writeTeams')
  @AuditEvent('team_deleted')
  @TeamIdParam()
  @ApiOperation({
    summary: 'Delete a team that no lead, lead source or rotation refers to; answers the deleted team',
    description:
      '409 while leads, lead sources or rotations refer to the team (deactivate it instead); 404 when the account has no such team.',
  })
  @ApiIdExample(DEMO_IDS.teamId)
  @ApiErrorExamples({
    409: {
      teamInUse: {
        summary: 'Records refer to the team',
        value: { error: 'Conflict', message: 'Team 1 is used by 2 lead sources and 1 lead rotation; deactivate it instead' },
      },
    },
  })
  @ApiOkResponse({ type: TeamResponseDto })
  @ApiNotFoundResponse({ description: 'No such team in the account', schema: ERROR_REF })
  @ApiConflictResponse({ description: 'Leads, lead sources or rotations refer to the team', schema: ERROR_REF })
  remove(@AccountId() accountId: number, @IdParam() id: number): Promise<TeamResponseDto> {
    return this.teams.remove(accountId, id);
  }
}
