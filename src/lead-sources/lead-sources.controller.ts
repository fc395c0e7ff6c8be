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
import { CreateLeadSourceDto, UpdateLeadSourceDto } from './dto/lead-source-input.dto';
import { LeadSourcePageDto, LeadSourceResponseDto } from './dto/lead-source-response.dto';
import { ListLeadSourcesQueryDto } from './dto/list-lead-sources-query.dto';
import { LeadSourcesService } from './lead-sources.service';
import { ERROR_REF } from '../openapi';
import { ApiBodyExample, ApiErrorExamples, ApiIdExample, DEMO_IDS, REQUEST_EXAMPLES } from '../openapi-examples';

const UNKNOWN_TEAM = {
  400: {
    unknownTeam: {
      summary: 'teamId is not a team of the account',
      value: {
        error: 'Validation failed',
        message: 'team 99 is not a team of this account',
        details: [{ field: 'teamId', message: 'team 99 is not a team of this account' }],
      },
    },
  },
};

const LeadSourceIdParam = () => ApiParam({ name: 'id', type: 'integer', description: 'Lead source id' });

@ApiTags('Lead sources')
@Controller('lead-sources')
export class LeadSourcesController {
  constructor(private readonly sources: LeadSourcesService) {}

  @Post()
  @RequirePermissions('writeLeadSources')
  @AuditEvent('lead_source_created')
  @ApiOperation({
    summary: 'Create a lead source',
    description: "A source of a team makes leadSourceId required on that team's leads. 400 when teamId is not a team of the account.",
  })
  @ApiBodyExample(CreateLeadSourceDto, REQUEST_EXAMPLES.createLeadSource)
  @ApiErrorExamples(UNKNOWN_TEAM)
  @ApiCreatedResponse({ type: LeadSourceResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid body, or teamId is not a team of the account', schema: ERROR_REF })
  create(@AccountId() accountId: number, @CurrentActor() actor: Actor, @Body() dto: CreateLeadSourceDto): Promise<LeadSourceResponseDto> {
    return this.sources.create(accountId, actor, dto);
  }

  @Get()
  @RequirePermissions('readLeadSources')
  @ApiOperation({
    summary: 'List lead sources (all of them unless filtered)',
    description: "A page of the account's lead sources. 400 for an unknown filter or sort field.",
  })
  @ApiOkResponse({ type: LeadSourcePageDto })
  @ApiBadRequestResponse({ description: 'Invalid filter, page or sort', schema: ERROR_REF })
  list(@AccountId() accountId: number, @Query() query: ListLeadSourcesQueryDto): Promise<Page<LeadSourceResponseDto>> {
    return this.sources.list(accountId, query);
  }

  @Get(':id')
  @RequirePermissions('readLeadSources')
  @LeadSourceIdParam()
  @ApiOperation({ summary: 'Get a lead source', description: '404 when the account has no such lead source.' })
  @ApiIdExample(DEMO_IDS.websiteSourceId)
  @ApiOkResponse({ type: LeadSourceResponseDto })
  @ApiNotFoundResponse({ description: 'No such lead source in the account', schema: ERROR_REF })
  get(@AccountId() accountId: number, @IdParam() id: number): Promise<LeadSourceResponseDto> {
    return this.sources.get(accountId, id);
  }

  @Patch(':id')
  @RequirePermissions('writeLeadSources')
  @AuditEvent('lead_source_updated')
  @LeadSourceIdParam()
  @ApiOperation({
    summary: 'Update a lead source',
    description: 'Changes the given fields. 400 when teamId is not a team of the account, 404 when the account has no such lead source.',
  })
  @ApiIdExample(DEMO_IDS.webinarSourceId)
  @ApiBodyExample(UpdateLeadSourceDto, REQUEST_EXAMPLES.updateLeadSource)
  @ApiErrorExamples(UNKNOWN_TEAM)
  @ApiOkResponse({ type: LeadSourceResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid body, or teamId is not a team of the account', schema: ERROR_REF })
  @ApiNotFoundResponse({ description: 'No such lead source in the account', schema: ERROR_REF })
  update(
    @AccountId() accountId: number,
    @CurrentActor() actor: Actor,
    @IdParam() id: number,
    @Body() dto: UpdateLeadSourceDto,
  ): Promise<LeadSourceResponseDto> {
    return this.sources.update(accountId, actor, id, dto);
  }

  @Delete(':id')
  @RequirePermissions('writeLeadSources')
  @AuditEvent('lead_source_deleted')
  @LeadSourceIdParam()
  @ApiOperation({
    summary: 'Delete a lead source that no lead refers to; answers the deleted source',
    description: '409 while leads refer to the source (deactivate it instead); 404 when the account has no such lead source.',
  })
  @ApiIdExample(DEMO_IDS.webinarSourceId)
  @ApiErrorExamples({
    409: {
      sourceInUse: {
        summary: 'Leads refer to the source',
        value: { error: 'Conflict', message: 'Lead source 1 is used by 3 leads; deactivate it instead' },
      },
    },
  })
  @ApiOkResponse({ type: LeadSourceResponseDto })
  @ApiNotFoundResponse({ description: 'No such lead source in the account', schema: ERROR_REF })
  @ApiConflictResponse({ description: 'Leads refer to the source', schema: ERROR_REF })
  remove(@AccountId() accountId: number, @IdParam() id: number): Promise<LeadSourceResponseDto> {
    return this.sources.remove(accountId, id);
  }
}
