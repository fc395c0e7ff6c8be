import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsOptional } from 'class-validator';
import type { ErrorBody } from '../../common/errors/api-error';
import { QueryBool } from '../../common/list/query-transforms';
import { ClosedBody } from '../../common/openapi/schema-decorators';
import { ERROR_REF } from '../../openapi';
import { CreateLeadQuery } from './lead-query.dto';
import { LeadBatchLead } from './lead.dto';

/** The most leads one POST /leads/batch takes (§8). */
export const BATCH_LIMIT = 100;

@ClosedBody('Leads to create, each handled as its own POST /leads')
export class LeadBatchInput {
  @ApiProperty({
    type: 'array',
    items: { $ref: '#/components/schemas/LeadInput' },
    minItems: 1,
    maxItems: BATCH_LIMIT,
    description: `1 to ${BATCH_LIMIT} POST /leads bodies; each item is validated on its own`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BATCH_LIMIT)
  leads: unknown[];
}

/** Query of POST /leads/batch: POST /leads's flags, for every item, and `atomic`. */
export class LeadBatchQuery extends CreateLeadQuery {
  @ApiPropertyOptional({
    type: 'boolean',
    description: 'All or nothing: any failing item → 400 listing every failing index, nothing stored, no rotation moved',
  })
  @IsOptional()
  @QueryBool()
  @IsBoolean({ message: 'atomic must be true, false, 1 or 0' })
  atomic?: boolean;
}

@ApiSchema({ description: "One item's outcome: its POST /leads status with the lead, or with the error body" })
export class LeadBatchItemResult {
  @ApiProperty({ type: 'integer', description: 'Position of the item in `leads`, from 0' })
  index: number;

  @ApiProperty({ type: 'integer', description: 'What POST /leads would have answered: 201, 200 (a returned duplicate), 4xx', example: 201 })
  status: number;

  @ApiPropertyOptional({
    type: () => LeadBatchLead,
    description: 'The lead created (201) or returned as the existing one (200), without its auditLog',
  })
  lead?: LeadBatchLead;

  @ApiPropertyOptional({ allOf: [ERROR_REF], description: 'The error body POST /leads would have answered' })
  error?: ErrorBody;
}

export class LeadBatchResult {
  @ApiProperty({ type: () => [LeadBatchItemResult], description: 'One result per item, in index order' })
  results: LeadBatchItemResult[];
}
