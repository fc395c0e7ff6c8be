import { Injectable } from '@nestjs/common';
import { ApiRequest } from '../auth/principal';
import { routePathOf } from '../common/http/path-of';
import { ErrorBody } from '../common/errors/api-error';
import { FailedRequestSink } from '../common/filters/failed-request-sink';
import { AuditService, isUnaudited, requestMeta } from './audit.service';

/**
 * The audit entry of a failed request, including those that guards and pipes rejected before the
 * audit interceptor could run: `request_failed` for 5xx, `request_rejected` otherwise.
 */
@Injectable()
export class AuditFailedRequestSink implements FailedRequestSink {
  constructor(private readonly audit: AuditService) {}

  record(req: ApiRequest, status: number, body: ErrorBody): void {
    if (isUnaudited(routePathOf(req))) return;
    const requestedAccount = req.headers['x-account-id'];
    this.audit.enqueue(
      this.audit.entry(requestMeta(req), {
        event: status >= 500 ? 'request_failed' : 'request_rejected',
        statusCode: status,
        leadId: req.audit?.leadId ?? null,
        // The request itself is kept (masked by the audit service) so a rejected attempt, such as a
        // failed login, still says what was tried.
        data: {
          error: body.error,
          message: body.message ?? null,
          ...(req.account ? {} : requestedAccount !== undefined ? { requestedAccountId: requestedAccount } : {}),
          params: req.params,
          query: req.query,
          body: req.body ?? null,
        },
      }),
    );
  }
}
