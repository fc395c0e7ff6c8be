import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { PrincipalEvictions } from '../auth/principal-evictions.service';
import { Public } from '../common/decorators/public.decorator';

@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly principals: PrincipalEvictions,
  ) {}

  /** 200 when the database answers, 503 otherwise. No authentication. */
  @Public()
  @Get()
  @ApiOperation({
    summary: 'Check the service and its database',
    description:
      'Answers 200 when the database answers a ping within 2 s, else 503 with the report of what is down. ' +
      '`principalCache` says whether principals are served from memory (`on`), or `bypassed` while the instance ' +
      'cannot receive evictions (every request then reads the database; the service stays up).',
  })
  @HealthCheck()
  @ApiOkResponse({ description: 'The service and its database are up' })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer' })
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2000 }), () => this.principalCache()]);
  }

  /** Always up: a bypassed cache is slower, not wrong. */
  private principalCache(): HealthIndicatorResult {
    return { principalCache: { status: 'up', ...this.principals.health() } };
  }
}
