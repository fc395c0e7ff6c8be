import { ArgumentMetadata, Injectable, Param, PipeTransform } from '@nestjs/common';
import { validationFailed } from '../errors/validation-failed';

/** Largest value of a PostgreSQL `integer` column: ids, and the counts and amounts stored as integers. */
export const MAX_ID = 2_147_483_647;

/**
 * Parses a path id (`@IdParam() id: number`): decimal digits without a leading zero, fitting the id
 * columns, else 400 naming the parameter. Without the range check an id like 99999999999 would reach
 * PostgreSQL and fail there as an integer overflow. The global pipe leaves path parameters as text.
 */
@Injectable()
export class IdParamPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    const n = typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : NaN;
    if (!(n <= MAX_ID)) {
      const field = metadata.data ?? 'id';
      const message = `${field} must be a positive integer`;
      throw validationFailed([{ field, message }]);
    }
    return n;
  }
}

/** `@IdParam() id: number` is `@Param('id', IdParamPipe) id: number`. */
export const IdParam = (name = 'id') => Param(name, IdParamPipe);
