import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountId } from '../common/decorators/current.decorators';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { Page } from '../common/list/paginate';
import { AuditLogsService } from './audit-logs.service';
import { AuditLogPage, AuditLogRecord } from './dto/audit-log-entry.dto';
import { ListAuditLogsQuery } from './dto/list-audit-logs-query.dto';
import { ERROR_REF } from '../openapi';

@ApiTags('Audit log')
@Controller('audit-logs')
export class AuditLogsController {
  constructor(private readonly auditLogs: AuditLogsService) {}

  @Get()
  @RequirePermissions('readAuditLog')
  @ApiOperation({
    summary: 'List audit log entries',
    description:
      "The account's audit log: one entry per request that reached the API, newest first by default. " +
      'Entries of a deleted lead stay listed (filter with leadId). 400 for an unknown filter or sort field.',
  })
  @ApiOkResponse({ description: 'A page of audit log entries', type: AuditLogPage })
  @ApiBadRequestResponse({ description: 'Invalid filter, sort or paging parameter', schema: ERROR_REF })
  list(@AccountId() accountId: number, @Query() query: ListAuditLogsQuery): Promise<Page<AuditLogRecord>> {
    return this.auditLogs.list(accountId, query);
  }
}
