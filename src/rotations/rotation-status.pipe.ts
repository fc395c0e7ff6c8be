import { HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { validationFailed } from '../common/errors/validation-failed';
import { ROTATION_STATUSES, RotationStatus } from './entities/lead-rotation.entity';

export const STATUS_REQUIRED_ERROR = `Status is required and must be one of ${ROTATION_STATUSES.join(', ')}`;

/**
 * Validates the body of PATCH /lead-rotations/{id}/status. The contract fixes this endpoint's error
 * body (`{"error": "Status is required and must be one of active, archived, queued"}`), which the
 * global validation pipe's shape cannot produce, so the handler declares the body as a plain object
 * (the global pipe leaves it alone) and this pipe checks it. Other properties are refused by name,
 * as everywhere else.
 */
@Injectable()
export class RotationStatusBodyPipe implements PipeTransform<unknown, { status: RotationStatus }> {
  transform(body: unknown): { status: RotationStatus } {
    const obj = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const status = obj.status;
    if (typeof status !== 'string' || !(ROTATION_STATUSES as string[]).includes(status)) {
      throw new ApiError(HttpStatus.BAD_REQUEST, STATUS_REQUIRED_ERROR);
    }
    const unknown = Object.keys(obj).filter((k) => k !== 'status');
    if (unknown.length) {
      throw validationFailed(unknown.map((k) => ({ field: k, message: `${k} is not an allowed property` })));
    }
    return { status: status as RotationStatus };
  }
}
