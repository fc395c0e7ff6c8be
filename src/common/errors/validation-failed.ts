import { HttpStatus } from '@nestjs/common';
import { ApiError, ErrorDetail } from './api-error';

/**
 * A 400 in the same shape as the global validation pipe's, for rules a DTO cannot check (a referenced
 * record must exist in the account, an email must belong to a user of the account, ...), so a client
 * handles one format for every input problem.
 */
export function validationFailed(details: ErrorDetail[]): ApiError {
  return new ApiError(
    HttpStatus.BAD_REQUEST,
    'Validation failed',
    details.length === 1 ? details[0].message : `${details.length} problems were found in the request`,
    details,
  );
}
