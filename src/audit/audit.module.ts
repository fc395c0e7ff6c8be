import { Global, Module } from '@nestjs/common';
import { AuditInterceptor } from './audit.interceptor';
import { AuditLogsController } from './audit-logs.controller';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditLogsService } from './audit-logs.service';
import { AuditRetentionService } from './audit-retention.service';
import { AuditService } from './audit.service';

@Global()
@Module({
  controllers: [AuditLogsController],
  providers: [AuditService, AuditInterceptor, AuditLogsRepository, AuditLogsService, AuditRetentionService],
  exports: [AuditService, AuditInterceptor, AuditLogsRepository],
})
export class AuditModule {}
