import { HttpException, HttpStatus } from '@nestjs/common';

export interface ErrorDetail {
  field: string;
  message: string;
  /** The lead a `duplicate lead` conflict is about (§8). */
  leadId?: number;
}

/** The one error body of the API: `{error, message?, details?}`. */
export interface ErrorBody {
  error: string;
  message?: string;
  details?: ErrorDetail[];
}

/** An error whose body is exactly what the client sees. */
export class ApiError extends HttpException {
  constructor(status: number, error: string, message?: string, details?: ErrorDetail[]) {
    const body: ErrorBody = { error };
    if (message !== undefined) body.message = message;
    if (details !== undefined) body.details = details;
    super(body, status);
  }

  static badRequest(error: string, message?: string, details?: ErrorDetail[]): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, error, message, details);
  }

  /** 400 naming one field, as `{error, details: [{field, message}]}`. */
  static invalidField(field: string, message: string): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, `${field} ${message}`, undefined, [{ field, message }]);
  }

  static notFound(what: string): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, 'Not Found', `${what} not found`);
  }

  static forbidden(message: string): ApiError {
    return new ApiError(HttpStatus.FORBIDDEN, 'Forbidden', message);
  }

  static unauthorized(message = 'Authentication required'): ApiError {
    return new ApiError(HttpStatus.UNAUTHORIZED, 'Unauthorized', message);
  }

  static conflict(message: string): ApiError {
    return new ApiError(HttpStatus.CONFLICT, 'Conflict', message);
  }
}
