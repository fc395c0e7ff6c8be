import { Transform } from 'class-transformer';
import { ValidateIf } from 'class-validator';

/**
 * An optional property that, when present, must pass its validators. Unlike `@IsOptional()` it does
 * not let `null` through, so `{"name": null}` is a 400 instead of a NOT NULL violation.
 */
export const OptionalNotNull = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/** Trims surrounding whitespace of a string value; other types are left for the validators to reject. */
export const TrimString = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
