import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { DUPLICATE_LEAD_POLICIES, DuplicateLeadPolicy } from '../../accounts/entities/account.entity';
import { KeysetListQueryDto } from '../../common/list/list-query.dto';
import { QueryBool, QueryInt } from '../../common/list/query-transforms';
import { LEAD_TEXT_LIMITS } from '../entities/lead.entity';
import { MAX_ID } from '../../common/pipes/id-param.pipe';
import { SortQuery } from '../../common/openapi/schema-decorators';
import { LEAD_DESCRIPTIONS as D } from './lead-fields';

const BOOL_MESSAGE = (field: string) => `${field} must be true, false, 1 or 0`;

/** Query of POST /leads and PATCH /leads/{id}. */
export class LeadRulesQuery {
  @ApiPropertyOptional({
    type: 'boolean',
    description: 'Optional flag to skip the team and lead source requirement, even if teams exist in the account',
  })
  @IsOptional()
  @QueryBool()
  @IsBoolean({ message: BOOL_MESSAGE('skipTeamAndSourceRequirement') })
  skipTeamAndSourceRequirement?: boolean;
}

/** Query of POST /leads: the rules' flag, and the duplicate policy for this request (§8). */
export class CreateLeadQuery extends LeadRulesQuery {
  @ApiPropertyOptional({
    enum: DUPLICATE_LEAD_POLICIES,
    description:
      "What to do, for this request, when an unarchived lead of the account has the same email (trimmed, lower-cased); the account's " +
      '`duplicateLeadPolicy` otherwise. `reject`: 409 with the existing lead in `details[0].leadId`; `return_existing`: 200 with the ' +
      'existing lead and a `Duplicate-Of` header. Either way nothing is created and no rotation moves',
  })
  @IsOptional()
  @IsIn(DUPLICATE_LEAD_POLICIES, { message: `onDuplicate must be one of ${DUPLICATE_LEAD_POLICIES.join(', ')}` })
  onDuplicate?: DuplicateLeadPolicy;
}

/** Lead text fields that GET /leads filters on by exact value. */
export const LEAD_TEXT_FILTERS = [
  'applicationId',
  'firstName',
  'lastName',
  'imgSrc',
  'email',
  'phone',
  'company',
  'jobTitle',
  'branch',
  'source',
  'position',
  'location',
  'productsServicesSold',
  'currentPaymentProcessor',
  'processStage',
  'buyingRole',
  'notes',
  'createdBy',
] as const;
export const LEAD_INT_FILTERS = ['numberOfEmployees', 'monthlyTransactionVolume'] as const;

/** The value of an id filter that matches leads without one (`?teamId=null`). */
export const NULL_FILTER = 'null';
const NULL_FILTER_NOTE = '; `null` matches leads without one';

/** An integer query value in [min, MAX_ID] (or `null` when allowed), reported with one message. */
const QueryInteger = (name: string, min: number, allowNull = false) =>
  ValidateBy({
    name: 'queryInteger',
    validator: {
      validate: (v: unknown) =>
        (allowNull && v === NULL_FILTER) || (Number.isInteger(v) && (v as number) >= min && (v as number) <= MAX_ID),
      defaultMessage: () => `${name} must be an integer from ${min} to ${MAX_ID}${allowNull ? ', or null' : ''}`,
    },
  });

/** Sort fields of GET /leads (every lead field). */
export const LEAD_SORT_FIELDS = [
  'id',
  'teamId',
  'leadSourceId',
  ...LEAD_TEXT_FILTERS,
  ...LEAD_INT_FILTERS,
  'interestedInSwitching',
  'assignedTo',
  'lastContacted',
  'archived',
  'createdAt',
  'updatedAt',
] as const;

/** An id filter's values: an id, or the text `null` (typed, so generated clients accept both). */
const ID_OR_NULL_FILTER = [
  { type: 'integer', minimum: 1, maximum: MAX_ID },
  { type: 'string', enum: [NULL_FILTER] },
];
/** Id filters of GET /leads that also match leads without one. */
const ID_FILTERS = { teamId: 'Leads of this team', leadSourceId: 'Leads of this lead source' } as const;

type TextFilters = { [K in (typeof LEAD_TEXT_FILTERS)[number]]?: string };
type IntFilters = { [K in (typeof LEAD_INT_FILTERS)[number]]?: number };
type IdFilters = { [K in keyof typeof ID_FILTERS]?: number | typeof NULL_FILTER };

/** Query of GET /leads: list parameters, exact filters on every lead field, date ranges. */
// The id, text and integer filters are declared by loops below; the interface gives them their types.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface ListLeadsQuery extends TextFilters, IntFilters, IdFilters {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ListLeadsQuery extends KeysetListQueryDto {
  @SortQuery(LEAD_SORT_FIELDS, '-createdAt')
  declare sort?: string;

  @ApiPropertyOptional({
    type: 'string',
    description: `Leads assigned to this user (email, case-insensitive)${NULL_FILTER_NOTE.replace('one', 'an assignee')}`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(LEAD_TEXT_LIMITS.assignedTo)
  assignedTo?: string;

  @ApiPropertyOptional({ type: 'boolean', description: `${D.interestedInSwitching} (exact match)` })
  @IsOptional()
  @QueryBool()
  @IsBoolean({ message: BOOL_MESSAGE('interestedInSwitching') })
  interestedInSwitching?: boolean;

  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'Archived leads (true) or active leads (false, the default)' })
  @IsOptional()
  @QueryBool()
  @IsBoolean({ message: BOOL_MESSAGE('archived') })
  archived?: boolean;

  @ApiPropertyOptional({ type: 'string', description: 'Created in this range: `from,to` (ISO 8601; either side may be empty)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  createdAt?: string;

  @ApiPropertyOptional({ type: 'string', description: 'Updated in this range: `from,to` (ISO 8601; either side may be empty)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  updatedAt?: string;

  @ApiPropertyOptional({ type: 'string', description: 'Last contacted in this range: `from,to` (ISO 8601; either side may be empty)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  lastContacted?: string;
}

// The exact-match filters are alike: declare them from one list (explicit Swagger metadata included).
for (const name of LEAD_TEXT_FILTERS) {
  const proto = ListLeadsQuery.prototype;
  ApiPropertyOptional({ type: 'string', maxLength: LEAD_TEXT_LIMITS[name], description: `${D[name]} (exact match)` })(proto, name);
  IsOptional()(proto, name);
  IsString({ message: `${name} must be a string` })(proto, name);
  MaxLength(LEAD_TEXT_LIMITS[name])(proto, name);
}
for (const name of LEAD_INT_FILTERS) {
  const proto = ListLeadsQuery.prototype;
  ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_ID, description: `${D[name]} (exact match)` })(proto, name);
  IsOptional()(proto, name);
  QueryInt()(proto, name);
  QueryInteger(name, 0)(proto, name);
}
// Declared outside the class body so no design type (Object, for the union) reaches @nestjs/swagger,
// which would otherwise add it next to the anyOf.
for (const [name, description] of Object.entries(ID_FILTERS)) {
  const proto = ListLeadsQuery.prototype;
  ApiPropertyOptional({ anyOf: ID_OR_NULL_FILTER, description: `${description}${NULL_FILTER_NOTE}` })(proto, name);
  IsOptional()(proto, name);
  QueryInt()(proto, name);
  QueryInteger(name, 1, true)(proto, name);
}
