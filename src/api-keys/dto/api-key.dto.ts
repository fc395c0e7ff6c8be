import { PageOf } from '../../common/list/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength, registerDecorator, ValidationArguments } from 'class-validator';
import { isPermission, Permission, PERMISSIONS } from '../../auth/permissions/permissions';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryBool } from '../../common/list/query-transforms';
import { ClosedBody, SortQuery } from '../../common/openapi/schema-decorators';
import { OptionalNotNull, TrimString } from '../../common/validation/dto-decorators';

function permissionListProblem(value: unknown, field: string): string | null {
  if (!Array.isArray(value)) return `${field} must be an array of permission names`;
  if (value.length === 0) return `${field} must contain at least one permission`;
  const unknown = value.filter((p) => !isPermission(p)).map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
  if (unknown.length) return `${field} contains unknown permissions: ${unknown.join(', ')}`;
  return null;
}

/** A non-empty array of permission names; the message names every unknown one. */
function IsPermissionList(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isPermissionList',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => permissionListProblem(value, args.property) === null,
        defaultMessage: (args?: ValidationArguments) => permissionListProblem(args!.value, args!.property) ?? '',
      },
    });
  };
}

const PERMISSIONS_DESCRIPTION =
  'What the key may do in its account. Must be a subset of your own permissions; at use, a key also never ' +
  'exceeds what its creator may do at that moment.';

@ClosedBody()
export class CreateApiKeyDto {
  @ApiProperty({ description: 'A name to recognise the key by', example: 'Website form', minLength: 1, maxLength: 200 })
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ description: PERMISSIONS_DESCRIPTION, enum: PERMISSIONS, isArray: true, minItems: 1, example: ['writeLeads'] })
  @IsPermissionList()
  permissions: Permission[];
}

@ClosedBody()
export class UpdateApiKeyDto {
  @ApiPropertyOptional({ description: 'A name to recognise the key by', minLength: 1, maxLength: 200 })
  @OptionalNotNull()
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: PERMISSIONS_DESCRIPTION, enum: PERMISSIONS, isArray: true, minItems: 1 })
  @OptionalNotNull()
  @IsPermissionList()
  permissions?: Permission[];

  @ApiPropertyOptional({ description: 'An inactive key cannot log in, and its sessions stop working at once' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

/** The sort keys of GET /apikeys (API_KEY_LIST_SPEC.sortable). */
export const API_KEY_SORT_FIELDS = ['id', 'name', 'active', 'createdAt', 'updatedAt'] as const;

export class ListApiKeysQueryDto extends ListQueryDto {
  @SortQuery(API_KEY_SORT_FIELDS, '-createdAt')
  declare sort?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBool()
  @IsBoolean()
  active?: boolean;
}

/** An API key as listed and read: never its secret nor the secret's hash. */
export class ApiKeyResponseDto {
  @ApiProperty({ type: 'integer', example: 7 })
  id: number;

  @ApiProperty({ example: 'Website form' })
  name: string;

  @ApiProperty({ description: 'Public id of the key, sent as `apiKey` to POST /auth/login', example: 'lk_3f9a0c1b2d4e5f6a7b8c9d0e' })
  apiKey: string;

  @ApiProperty({ enum: PERMISSIONS, isArray: true })
  permissions: Permission[];

  @ApiProperty()
  active: boolean;

  @ApiProperty({ example: '2311' })
  accountId: string;

  @ApiProperty({ format: 'date-time', example: '2024-05-01T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2024-05-01T12:00:00.000Z' })
  updatedAt: string;

  @ApiProperty({ type: String, nullable: true, description: 'Email of the user who created the key', example: 'admin@example.com' })
  createdBy: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'admin@example.com' })
  updatedBy: string | null;
}

export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'The secret, shown only in this response: store it now, it cannot be read again' })
  apiSecret: string;
}

export class ApiKeyPageDto extends PageOf(() => ApiKeyResponseDto) {}
