import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/decorators/public.decorator';

@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  /** 200 when the database answers, 503 otherwise. No authentication. */
  @Public()
  @Get()
  @ApiOperation({
    summary: 'Check the service and its database',
    description: 'Answers 200 when the database answers a ping within 2 s, else 503 with the report of what is down.',
  })
  @HealthCheck()
  @ApiOkResponse({ description: 'The service and its database are up' })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer' })
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2000 })]);
  }
}
