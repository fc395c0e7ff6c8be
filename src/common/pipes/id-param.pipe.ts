import { ArgumentMetadata, HttpStatus, Injectable, Param, PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/** Largest value of the integer primary keys (PostgreSQL `integer`). */
export const MAX_ID = 2_147_483_647;

/**
 * Parses a path id (`@Param('id', IdParamPipe) id: number`): a positive integer that fits the id
 * columns, else 400 naming the parameter. Without the range check an id like 99999999999 would reach
 * PostgreSQL and fail there as an integer overflow. The global pipe may already have turned the text
 * into a number (NaN when it was not numeric), so both forms are accepted.
 */
@Injectable()
export class IdParamPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_ID) {
      const field = metadata.data ?? 'id';
      const message = `${field} must be a positive integer`;
      throw new ApiError(HttpStatus.BAD_REQUEST, 'Validation failed', message, [{ field, message }]);
    }
    return n;
  }
}

/** `@IdParam() id: number` is `@Param('id', IdParamPipe) id: number`. */
export const IdParam = (name = 'id') => Param(name, IdParamPipe);
