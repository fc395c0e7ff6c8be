import { Global, Module } from '@nestjs/common';
import { FAILED_REQUEST_SINK } from '../common/filters/failed-request-sink';
import { AuditFailedRequestSink } from './audit-failed-request.sink';
import { AuditInterceptor } from './audit.interceptor';
import { AuditLogsController } from './audit-logs.controller';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditLogsService } from './audit-logs.service';
import { AuditRetentionService } from './audit-retention.service';
import { AuditService } from './audit.service';

@Global()
@Module({
  controllers: [AuditLogsController],
  providers: [
    AuditService,
    AuditInterceptor,
    AuditLogsRepository,
    AuditLogsService,
    AuditRetentionService,
    { provide: FAILED_REQUEST_SINK, useClass: AuditFailedRequestSink },
  ],
  exports: [AuditService, AuditInterceptor, AuditLogsRepository, FAILED_REQUEST_SINK],
})
export class AuditModule {}
