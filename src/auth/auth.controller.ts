import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuditService, requestMeta } from '../audit/audit.service';
import { AuditEvent, AuditWrite } from '../common/decorators/audit-event.decorator';
import { CurrentPrincipal } from '../common/decorators/current.decorators';
import { NoAccount } from '../common/decorators/no-account.decorator';
import { Public } from '../common/decorators/public.decorator';
import { LoginRateLimited } from '../common/rate-limit/rate-limit.module';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { SessionDto } from './dto/session.dto';
import { ApiRequest, Principal } from './principal';
import { ERROR_REF } from '../openapi';
import { ApiBodyExample, ApiErrorExamples, REQUEST_EXAMPLES } from '../openapi-examples';

@ApiTags('Auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  /** Logs in with `{email, password}` or `{apiKey, apiSecret}` and answers the session with its bearer token. */
  @Post('login')
  @ApiOperation({
    summary: 'Log in with a password or an API key',
    description:
      'Send `{email, password}` or `{apiKey, apiSecret}`; the answer carries the bearer `token` and the accounts to ' +
      'send as x-account-id. Wrong credentials and inactive users or keys all answer the same 401.',
  })
  @ApiBodyExample(LoginDto, REQUEST_EXAMPLES.login)
  @ApiErrorExamples({
    400: {
      bothPairs: {
        summary: 'Both credential pairs were sent',
        value: {
          error: 'Validation failed',
          message: 'send either email and password, or apiKey and apiSecret, not both',
          details: [{ field: 'apiKey', message: 'send either email and password, or apiKey and apiSecret, not both' }],
        },
      },
    },
    401: {
      invalidCredentials: {
        summary: 'Wrong credentials, or an inactive user or key',
        value: { error: 'Unauthorized', message: 'Invalid credentials' },
      },
    },
  })
  @Public()
  @HttpCode(200)
  @LoginRateLimited()
  @AuditEvent('login')
  @AuditWrite('batched')
  @ApiOkResponse({ type: SessionDto })
  @ApiBadRequestResponse({ description: 'Neither or both credential pairs, or a malformed value', schema: ERROR_REF })
  @ApiUnauthorizedResponse({
    description: 'Wrong credentials, or an inactive user or key: always `{"error":"Unauthorized","message":"Invalid credentials"}`',
    schema: ERROR_REF,
  })
  @ApiTooManyRequestsResponse({ description: 'Too many login attempts from this address or for this identity', schema: ERROR_REF })
  async login(@Body() dto: LoginDto, @Req() req: ApiRequest): Promise<SessionDto> {
    const session = await this.auth.login(dto);
    // The request had no principal yet: name the user (and key) who logged in, in their primary account's log.
    // The body is masked by the audit sanitizer (password, apiKey, apiSecret).
    const meta = { ...requestMeta(req), user: session.email, apiKey: session.apiKeyId !== undefined ? String(session.apiKeyId) : null };
    this.audit.enqueue(
      this.audit.entry(meta, {
        event: 'login',
        statusCode: 200,
        accountId: session.primaryAccount === null ? null : Number(session.primaryAccount.accountId),
        data: { params: req.params, query: req.query, body: req.body },
      }),
    );
    req.audit = { ...(req.audit ?? {}), recorded: true };
    return session;
  }

  /** The current session: the same body as the login answer, with the caller's token echoed back. */
  @Get('session')
  @ApiOperation({
    summary: 'Get the session of the token',
    description: 'The same body as the login answer, with the token sent. 401 once the token expired or its user or key was deactivated.',
  })
  @NoAccount()
  @ApiOkResponse({ type: SessionDto })
  session(@CurrentPrincipal() principal: Principal): Promise<SessionDto> {
    return this.auth.session(principal);
  }
}
