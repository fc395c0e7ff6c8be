import { applyDecorators, ArgumentMetadata, Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
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
import { AuditWrite } from '../common/decorators/audit-event.decorator';
import { AccountId } from '../common/decorators/current.decorators';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { IdParam } from '../common/pipes/id-param.pipe';
import { Page } from '../common/list/paginate';
import { Lead, LeadListItem, LeadPage, RoutingPreviewDto } from './dto/lead.dto';
import { LeadInput, UpdateLeadInput } from './dto/lead-input.dto';
import { CreateLeadQuery, LeadRulesQuery, ListLeadsQuery } from './dto/lead-query.dto';
import { LeadRequest, LeadRequestContext } from './lead-request';
import { LeadsService } from './leads.service';
import { BATCH_LIMIT, LeadBatchInput, LeadBatchQuery, LeadBatchResult } from './dto/lead-batch.dto';
import { ApiError } from '../common/errors/api-error';
import { ApiValidationPipe } from '../common/pipes/validation';
import { ERROR_REF } from '../openapi';
import { ApiBodyExample, ApiErrorExamples, ApiIdExample, fieldError, REQUEST_EXAMPLES } from '../openapi-examples';
import { SOURCE_REQUIRED, TEAM_REQUIRED } from './lead-rules';

/** paginate.ts's answer to a cursor it did not issue for this list and sort. */
const CURSOR_MESSAGE = 'cursor must be the nextCursor of a previous page with the same sort';

/** The 400s of the lead rules (lead-rules.ts), shared by create, update and preview. */
const LEAD_RULE_ERRORS = {
  400: {
    teamRequired: { summary: 'The account has teams and no teamId was sent', value: { error: TEAM_REQUIRED } },
    sourceRequired: { summary: 'The team has lead sources and no leadSourceId was sent', value: { error: SOURCE_REQUIRED } },
    unknownTeam: {
      summary: 'teamId is not a team of the account',
      value: {
        error: 'teamId does not refer to a team of this account',
        details: [{ field: 'teamId', message: 'does not refer to a team of this account' }],
      },
    },
    invalidField: { summary: 'A field is not valid', value: fieldError('email', 'email must be a valid email address') },
  },
};

const LEAD_INPUT: ArgumentMetadata = { type: 'body', metatype: LeadInput };

const LeadIdPath = () =>
  applyDecorators(
    ApiParam({ name: 'id', schema: { type: 'integer' }, description: 'ID of the lead' }),
    ApiBadRequestResponse({ description: 'The id is not a positive integer', schema: ERROR_REF }),
    ApiNotFoundResponse({ description: 'No lead with this ID in the account', schema: ERROR_REF }),
  );

@ApiTags('Leads')
@AuditWrite('by-use-case')
@Controller('leads')
export class LeadsController {
  private readonly itemValidation = new ApiValidationPipe();

  constructor(private readonly leads: LeadsService) {}

  @Post()
  @RequirePermissions('writeLeads')
  @ApiOperation({
    summary: 'Create a new lead',
    description:
      'Create a new lead with the provided data. If teams exist in the account, a team ID is required unless ' +
      'skipTeamAndSourceRequirement=true. If a team has lead sources, a lead source ID is required. If a lead ' +
      'rotation exists for the team or a default lead rotation exists, the lead will be automatically assigned to ' +
      'the next user in the rotation if no assignedTo is specified. ' +
      'Answers 400 when a team or lead source rule is not met, or when teamId, leadSourceId, assignedTo or createdBy ' +
      "does not belong to the account. Under a duplicate policy other than allow (the account's, or onDuplicate), a " +
      'lead whose email an unarchived lead already has answers 409 (reject) or 200 with that lead (return_existing).',
  })
  @ApiBodyExample(LeadInput, REQUEST_EXAMPLES.createLead)
  @ApiErrorExamples({
    ...LEAD_RULE_ERRORS,
    409: {
      duplicate: {
        summary: 'Policy reject: an unarchived lead of the account has this email',
        value: {
          error: 'duplicate lead',
          details: [{ field: 'email', message: 'lead 1 of this account already has this email', leadId: 1 }],
        },
      },
    },
  })
  @ApiCreatedResponse({ description: 'Lead created successfully', type: Lead })
  @ApiBadRequestResponse({
    description: 'Bad request - may occur if teamId is required but missing, or if leadSourceId is required for a team but missing',
    schema: ERROR_REF,
  })
  @ApiOkResponse({
    description: 'Duplicate (policy `return_existing`): the existing lead, with its auditLog; nothing was created',
    type: Lead,
    headers: { 'Duplicate-Of': { description: 'ID of the existing lead answered', schema: { type: 'integer' } } },
  })
  @ApiConflictResponse({
    description:
      'Conflict - a duplicate lead (policy `reject`: the existing lead in `details[0].leadId`), or a request with this ' +
      'Idempotency-Key is still running',
    schema: ERROR_REF,
  })
  async create(
    @LeadRequest() ctx: LeadRequestContext,
    @Query() query: CreateLeadQuery,
    @Body() body: LeadInput,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<Lead> {
    const { lead, duplicateOf } = await this.leads.create(ctx, body, query.skipTeamAndSourceRequirement === true, query.onDuplicate);
    if (duplicateOf !== null) res.status(200).header('Duplicate-Of', String(duplicateOf));
    return lead;
  }

  @Post('batch')
  @HttpCode(200)
  @RequirePermissions('writeLeads')
  @ApiOperation({
    summary: 'Create up to 100 leads',
    description:
      `Takes up to ${BATCH_LIMIT} POST /leads bodies and handles each exactly as its own POST /leads would be: validation, ` +
      'the rules, routing in index order, duplicates (including earlier items of the batch) and its own lead_created. ' +
      'One failing item does not stop the others: each gets its own result. With atomic=true, any failing item refuses ' +
      'the batch (400 listing every failing index) and nothing is stored. An Idempotency-Key covers the whole batch.',
  })
  @ApiBodyExample(LeadBatchInput, REQUEST_EXAMPLES.createLeadBatch)
  @ApiErrorExamples({
    400: {
      refused: {
        summary: 'atomic=true and an item failed: nothing was stored',
        value: {
          error: 'batch refused',
          message: 'Item 1 failed, so nothing was stored',
          details: [{ field: 'leads[1]', message: TEAM_REQUIRED }],
        },
      },
      tooMany: { summary: 'More than 100 leads', value: fieldError('leads', 'leads must contain no more than 100 elements') },
    },
  })
  @ApiOkResponse({ description: 'One result per item, in index order', type: LeadBatchResult })
  @ApiBadRequestResponse({
    description: 'Not 1 to 100 leads, a bad query flag, or (atomic=true) a failing item: `batch refused` with every failing index',
    schema: ERROR_REF,
  })
  async batch(
    @LeadRequest() ctx: LeadRequestContext,
    @Query() query: LeadBatchQuery,
    @Body() body: LeadBatchInput,
  ): Promise<LeadBatchResult> {
    // Each item passes the same validation as a POST /leads body, on its own: its failure is its result.
    const items = await Promise.all(
      body.leads.map((item) =>
        (this.itemValidation.transform(item, LEAD_INPUT) as Promise<LeadInput>).catch((e: unknown) => {
          if (e instanceof ApiError) return e;
          throw e;
        }),
      ),
    );
    const results = await this.leads.createBatch(ctx, items, {
      skipTeamAndSourceRequirement: query.skipTeamAndSourceRequirement === true,
      onDuplicate: query.onDuplicate,
      atomic: query.atomic === true,
    });
    return { results };
  }

  @Get()
  @RequirePermissions('readLeads')
  @ApiOperation({
    summary: 'List leads',
    description:
      'Leads of the account, newest first by default; only unarchived leads unless archived=true. Every lead field ' +
      'can be filtered by exact value and sorted on. Listed leads carry no auditLog: fetch a lead to read it. ' +
      '400 for an unknown filter or sort field, or a cursor of another query.',
  })
  @ApiErrorExamples({
    400: {
      invalidCursor: {
        summary: 'cursor is not the nextCursor of a page of the same sort',
        value: { ...fieldError('cursor', CURSOR_MESSAGE), error: 'Invalid cursor' },
      },
    },
  })
  @ApiOkResponse({ description: 'A page of leads', type: LeadPage })
  @ApiBadRequestResponse({ description: 'Invalid filter, sort or paging parameter', schema: ERROR_REF })
  list(@AccountId() accountId: number, @Query() query: ListLeadsQuery): Promise<Page<LeadListItem>> {
    return this.leads.list(accountId, query);
  }

  @Get(':id')
  @RequirePermissions('readLeads')
  @LeadIdPath()
  @ApiIdExample(1)
  @ApiOperation({
    summary: 'Get a lead',
    description: 'The lead with its audit log (its lead_* events, oldest first). 404 when the account has no such lead.',
  })
  @ApiOkResponse({ description: 'The lead', type: Lead })
  get(@LeadRequest() ctx: LeadRequestContext, @IdParam() id: number): Promise<Lead> {
    return this.leads.get(ctx, id);
  }

  @Patch(':id')
  @RequirePermissions('writeLeads')
  @LeadIdPath()
  @ApiOperation({
    summary: 'Update a lead',
    description:
      'Changes the given fields (null clears an optional field). The team and lead source rules of POST /leads are ' +
      'checked again when the body contains teamId or leadSourceId. Records lead_updated with the changes, plus ' +
      'lead_assigned when assignedTo changes and lead_archived/lead_unarchived when archived changes. A PATCH that ' +
      'changes nothing records no lead event. 400 when a lead rule is not met, 404 when the account has no such lead.',
  })
  @ApiIdExample(1)
  @ApiBodyExample(UpdateLeadInput, REQUEST_EXAMPLES.updateLead)
  @ApiErrorExamples(LEAD_RULE_ERRORS)
  @ApiOkResponse({ description: 'The updated lead', type: Lead })
  @ApiBadRequestResponse({ description: 'Invalid field, or a team/lead source rule is not met', schema: ERROR_REF })
  update(
    @LeadRequest() ctx: LeadRequestContext,
    @IdParam() id: number,
    @Query() query: LeadRulesQuery,
    @Body() body: UpdateLeadInput,
  ): Promise<Lead> {
    return this.leads.update(ctx, id, body, query.skipTeamAndSourceRequirement === true);
  }

  @Delete(':id')
  @RequirePermissions('writeLeads')
  @LeadIdPath()
  @ApiOperation({
    summary: 'Delete a lead',
    description:
      'Deletes the lead for good and answers it. Its audit entries stay readable with GET /audit-logs?leadId={id}. ' +
      '404 when the account has no such lead.',
  })
  @ApiIdExample(1)
  @ApiOkResponse({ description: 'The deleted lead', type: Lead })
  remove(@LeadRequest() ctx: LeadRequestContext, @IdParam() id: number): Promise<Lead> {
    return this.leads.remove(ctx, id);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @RequirePermissions('writeLeads')
  @LeadIdPath()
  @ApiOperation({
    summary: 'Archive a lead',
    description: 'Archives the lead (records lead_archived unless it already was). 404 when the account has no such lead.',
  })
  @ApiIdExample(1)
  @ApiOkResponse({ description: 'The archived lead', type: Lead })
  archive(@LeadRequest() ctx: LeadRequestContext, @IdParam() id: number): Promise<Lead> {
    return this.leads.setArchived(ctx, id, true);
  }

  @Delete(':id/archive')
  @RequirePermissions('writeLeads')
  @LeadIdPath()
  @ApiOperation({
    summary: 'Unarchive a lead',
    description: 'Unarchives the lead (records lead_unarchived unless it was not archived). 404 when the account has no such lead.',
  })
  @ApiIdExample(1)
  @ApiOkResponse({ description: 'The unarchived lead', type: Lead })
  unarchive(@LeadRequest() ctx: LeadRequestContext, @IdParam() id: number): Promise<Lead> {
    return this.leads.setArchived(ctx, id, false);
  }
}

@ApiTags('Lead rotations')
@AuditWrite('batched')
@Controller('lead-rotations')
export class RoutingPreviewController {
  constructor(private readonly leads: LeadsService) {}

  @Post('preview')
  @HttpCode(200)
  @RequirePermissions('readLeadRotations')
  @ApiOperation({
    summary: 'Preview the assignment of a lead',
    description:
      'Takes a POST /leads body (and its query flag) and answers who would get that lead now, and why, after the same ' +
      'rules (the same 400s). Writes nothing: no lead, no rotation move, no lead event.',
  })
  @ApiBodyExample(LeadInput, REQUEST_EXAMPLES.previewLead)
  @ApiErrorExamples(LEAD_RULE_ERRORS)
  @ApiOkResponse({ description: 'Who would get the lead', type: RoutingPreviewDto })
  @ApiBadRequestResponse({ description: 'The body is not a valid lead, or a lead rule is not met', schema: ERROR_REF })
  preview(@LeadRequest() ctx: LeadRequestContext, @Query() query: LeadRulesQuery, @Body() body: LeadInput): Promise<RoutingPreviewDto> {
    return this.leads.preview(ctx, body, query.skipTeamAndSourceRequirement === true);
  }
}
