import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { MAX_ID } from '../pipes/id-param.pipe';

/**
 * An optional property that, when present, must pass its validators. Unlike `@IsOptional()` it does
 * not let `null` through, so `{"name": null}` is a 400 instead of a NOT NULL violation.
 */
export const OptionalNotNull = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/** Trims surrounding whitespace of a string value; other types are left for the validators to reject. */
export const TrimString = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** An optional id of another record in a body: an integer in 1…MAX_ID, or null for none. */
export const OptionalIdField = (description: string, example?: number) =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: MAX_ID,
      nullable: true,
      description,
      ...(example === undefined ? {} : { example }),
    }),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(MAX_ID),
  );
