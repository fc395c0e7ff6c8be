import type { ApiRequest } from '../../auth/principal';
import type { ErrorBody } from '../errors/api-error';

/** Injection token of the FailedRequestSink the exception filter reports to. */
export const FAILED_REQUEST_SINK = Symbol('FAILED_REQUEST_SINK');

/**
 * Where the exception filter reports a failed request, once per request, with the answer it sent.
 * Provided by the audit module, so the filter needs no domain code to keep failures on record.
 */
export interface FailedRequestSink {
  record(req: ApiRequest, status: number, body: ErrorBody): void;
}
