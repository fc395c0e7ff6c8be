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
import type { Actor } from '../auth/principal';
import { AuditEvent, AuditWrite } from '../common/decorators/audit-event.decorator';
import { AccountId, CurrentActor } from '../common/decorators/current.decorators';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { Page } from '../common/list/paginate';
import { IdParam } from '../common/pipes/id-param.pipe';
import { CreateLeadRotationDto, UpdateLeadRotationDto, UpdateLeadRotationStatusDto } from './dto/rotation-input.dto';
import { ListLeadRotationsQueryDto } from './dto/list-lead-rotations-query.dto';
import { LeadRotationPageDto, LeadRotationResponseDto, NextUserResponseDto } from './dto/rotation-response.dto';
import type { RotationStatus } from './entities/lead-rotation.entity';
import { RotationStatusBodyPipe, STATUS_REQUIRED_ERROR } from './rotation-status.pipe';
import { RotationsService } from './rotations.service';
import { ERROR_REF } from '../openapi';
import { ApiBodyExample, ApiErrorExamples, ApiIdExample, DEMO_IDS, REQUEST_EXAMPLES } from '../openapi-examples';

const RotationIdParam = () => ApiParam({ name: 'id', type: 'integer', description: 'Lead rotation id' });
const ONE_ACTIVE = 'The team already has an active rotation, or the account already has an active default rotation';
const ONE_ACTIVE_EXAMPLES = {
  409: {
    teamHasActive: {
      summary: 'The team already has an active rotation',
      value: { error: 'Conflict', message: 'The team already has an active lead rotation' },
    },
    defaultIsActive: {
      summary: 'The account already has an active default rotation',
      value: { error: 'Conflict', message: 'The account already has an active default lead rotation' },
    },
  },
};
const ROTATION_INPUT_EXAMPLES = {
  ...ONE_ACTIVE_EXAMPLES,
  400: {
    notAUser: {
      summary: 'An email of userRotationArray is not a user of the account',
      value: {
        error: 'Validation failed',
        message: 'zoe@example.com is not a user of this account',
        details: [{ field: 'userRotationArray.0', message: 'zoe@example.com is not a user of this account' }],
      },
    },
  },
};

@ApiTags('Lead rotations')
@Controller('lead-rotations')
export class RotationsController {
  constructor(private readonly rotations: RotationsService) {}

  @Post()
  @RequirePermissions('writeLeadRotations')
  @AuditEvent('lead_rotation_created')
  @ApiOperation({
    summary: 'Create a lead rotation',
    description:
      "A rotation with a team routes that team's leads; one named `default` without a team routes the others. 400 for an " +
      'unknown team or an email of a non-user, 409 when the team (or the account, for `default`) already has an active rotation.',
  })
  @ApiBodyExample(CreateLeadRotationDto, REQUEST_EXAMPLES.createRotation)
  @ApiErrorExamples(ROTATION_INPUT_EXAMPLES)
  @ApiCreatedResponse({ type: LeadRotationResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid body, unknown team, email of a non-user, or currentPosition outside the list',
    schema: ERROR_REF,
  })
  @ApiConflictResponse({ description: ONE_ACTIVE, schema: ERROR_REF })
  create(
    @AccountId() accountId: number,
    @CurrentActor() actor: Actor,
    @Body() dto: CreateLeadRotationDto,
  ): Promise<LeadRotationResponseDto> {
    return this.rotations.create(accountId, actor, dto);
  }

  @Get()
  @RequirePermissions('readLeadRotations')
  @ApiOperation({
    summary: 'List lead rotations (active ones unless `status` says otherwise)',
    description: "A page of the account's rotations. 400 for an unknown filter or sort field.",
  })
  @ApiOkResponse({ type: LeadRotationPageDto })
  @ApiBadRequestResponse({ description: 'Invalid filter, page or sort', schema: ERROR_REF })
  list(@AccountId() accountId: number, @Query() query: ListLeadRotationsQueryDto): Promise<Page<LeadRotationResponseDto>> {
    return this.rotations.list(accountId, query);
  }

  @Get(':id')
  @RequirePermissions('readLeadRotations')
  @RotationIdParam()
  @ApiOperation({ summary: 'Get a lead rotation', description: '404 when the account has no such rotation.' })
  @ApiIdExample(DEMO_IDS.teamRotationId)
  @ApiOkResponse({ type: LeadRotationResponseDto })
  @ApiNotFoundResponse({ description: 'No such rotation in the account', schema: ERROR_REF })
  get(@AccountId() accountId: number, @IdParam() id: number): Promise<LeadRotationResponseDto> {
    return this.rotations.get(accountId, id);
  }

  @Patch(':id')
  @RequirePermissions('writeLeadRotations')
  @AuditEvent('lead_rotation_updated')
  @RotationIdParam()
  @ApiOperation({
    summary: 'Update a lead rotation (its status changes through PATCH /lead-rotations/{id}/status)',
    description:
      'Changes the given fields. 400 for an unknown team, an email of a non-user or a currentPosition outside the list; ' +
      '409 when the change would make a second active rotation of the team or account; 404 when there is no such rotation.',
  })
  @ApiIdExample(DEMO_IDS.teamRotationId)
  @ApiBodyExample(UpdateLeadRotationDto, REQUEST_EXAMPLES.updateRotation)
  @ApiErrorExamples(ROTATION_INPUT_EXAMPLES)
  @ApiOkResponse({ type: LeadRotationResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid body, unknown team, email of a non-user, or currentPosition outside the list',
    schema: ERROR_REF,
  })
  @ApiNotFoundResponse({ description: 'No such rotation in the account', schema: ERROR_REF })
  @ApiConflictResponse({ description: ONE_ACTIVE, schema: ERROR_REF })
  update(
    @AccountId() accountId: number,
    @CurrentActor() actor: Actor,
    @IdParam() id: number,
    @Body() dto: UpdateLeadRotationDto,
  ): Promise<LeadRotationResponseDto> {
    return this.rotations.update(accountId, actor, id, dto);
  }

  @Patch(':id/status')
  @RequirePermissions('writeLeadRotations')
  @AuditEvent('lead_rotation_status_changed')
  @RotationIdParam()
  @ApiOperation({
    summary: 'Change the status of a lead rotation',
    description: `400 \`${STATUS_REQUIRED_ERROR}\`; 409 when activating it would make a second active rotation; 404 when there is no such rotation.`,
  })
  @ApiIdExample(DEMO_IDS.teamRotationId)
  @ApiBodyExample(UpdateLeadRotationStatusDto, REQUEST_EXAMPLES.changeRotationStatus)
  @ApiErrorExamples({
    ...ONE_ACTIVE_EXAMPLES,
    400: { statusRequired: { summary: 'No valid status', value: { error: STATUS_REQUIRED_ERROR } } },
  })
  @ApiOkResponse({ type: LeadRotationResponseDto })
  @ApiBadRequestResponse({ description: STATUS_REQUIRED_ERROR, schema: ERROR_REF })
  @ApiNotFoundResponse({ description: 'No such rotation in the account', schema: ERROR_REF })
  @ApiConflictResponse({ description: ONE_ACTIVE, schema: ERROR_REF })
  changeStatus(
    @AccountId() accountId: number,
    @CurrentActor() actor: Actor,
    @IdParam() id: number,
    // A type literal (not a class), so the global pipe leaves the body to RotationStatusBodyPipe.
    @Body(RotationStatusBodyPipe) body: { status: RotationStatus },
  ): Promise<LeadRotationResponseDto> {
    return this.rotations.changeStatus(accountId, actor, id, body.status);
  }

  @Delete(':id')
  @RequirePermissions('writeLeadRotations')
  @AuditEvent('lead_rotation_deleted')
  @RotationIdParam()
  @ApiOperation({
    summary: 'Delete a lead rotation; answers the deleted rotation',
    description: 'Leads it assigned keep their assignee. 404 when the account has no such rotation.',
  })
  @ApiIdExample(DEMO_IDS.teamRotationId)
  @ApiOkResponse({ type: LeadRotationResponseDto })
  @ApiNotFoundResponse({ description: 'No such rotation in the account', schema: ERROR_REF })
  remove(@AccountId() accountId: number, @IdParam() id: number): Promise<LeadRotationResponseDto> {
    return this.rotations.remove(accountId, id);
  }

  @Get(':id/next-user')
  @HttpCode(200)
  @RequirePermissions('writeLeadRotations')
  @AuditEvent('lead_rotation_next_user')
  @AuditWrite('with-change')
  @RotationIdParam()
  @ApiOperation({
    summary: 'Pick the next user of the rotation and advance its pointer',
    description:
      'Skips users who are no longer active users of the account. Works whatever the rotation status. ' +
      'Needs writeLeadRotations because it changes the rotation. 404 when the account has no such rotation.',
  })
  @ApiIdExample(DEMO_IDS.teamRotationId)
  @ApiOkResponse({ type: NextUserResponseDto })
  @ApiNotFoundResponse({ description: 'No such rotation in the account', schema: ERROR_REF })
  nextUser(@AccountId() accountId: number, @IdParam() id: number): Promise<NextUserResponseDto> {
    return this.rotations.nextUser(accountId, id);
  }
}
