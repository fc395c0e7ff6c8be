import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AuditInterceptor } from './audit/audit.interceptor';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { PrincipalEvictionsModule } from './auth/principal-evictions.service';
import { AccountGuard } from './auth/guards/account.guard';
import { BearerGuard } from './auth/guards/bearer.guard';
import { PermissionsGuard } from './auth/guards/permissions.guard';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { ListCursorKey } from './common/list/list-cursors';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { ApiValidationPipe } from './common/pipes/validation';
import { appConfig } from './config/app-config';
import { loggerOptions } from './config/logger-options';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { AccountsModule } from './accounts/accounts.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { LeadSourcesModule } from './lead-sources/lead-sources.module';
import { LeadsModule } from './leads/leads.module';
import { RotationsModule } from './rotations/rotations.module';
import { TeamsModule } from './teams/teams.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }),
    LoggerModule.forRootAsync({ inject: [appConfig.KEY], useFactory: loggerOptions }),
    DatabaseModule,
    PrincipalEvictionsModule,
    // Leads first: Express tries routes in registration order (module by module), and the lead routes
    // carry most of the traffic; no route of another module overlaps theirs.
    LeadsModule,
    AuditModule,
    AuthModule,
    HealthModule,
    IdempotencyModule,
    RateLimitModule,
    AccountsModule,
    UsersModule,
    ApiKeysModule,
    TeamsModule,
    LeadSourcesModule,
    RotationsModule,
    WebhooksModule,
    DemoModule,
  ],
  providers: [
    AllExceptionsFilter,
    ListCursorKey,
    { provide: APP_FILTER, useExisting: AllExceptionsFilter },
    // Guards run in this order: token (401), rate limit (429), account (400/403), permission (403).
    { provide: APP_GUARD, useClass: BearerGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: AccountGuard },
    { provide: APP_GUARD, useClass: PermissionsGuard },
    { provide: APP_PIPE, useClass: ApiValidationPipe },
    // Interceptors nest in this order: the audit entry wraps the idempotent replay decision.
    { provide: APP_INTERCEPTOR, useExisting: AuditInterceptor },
    { provide: APP_INTERCEPTOR, useExisting: IdempotencyInterceptor },
  ],
})
export class AppModule {}
