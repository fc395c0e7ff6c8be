import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AccountAccess, AccountsService, subjectOf } from '../accounts/accounts.service';
import { apiKeySecretMatches } from '../api-keys/api-key-credentials';
import { ApiKey } from '../api-keys/entities/api-key.entity';
import { ApiError } from '../common/errors/api-error';
import { TransactionService } from '../database/transaction.service';
import { AuthRepository } from './auth.repository';
import { LoginDto } from './dto/login.dto';
import { SessionDto } from './dto/session.dto';
import { PasswordService } from './password.service';
import { Principal } from './principal';
import { TokenPayload } from './principal.service';
import { normalizeEmail } from '../common/email';

/** The one answer to every failed login, whichever part was wrong. */
export function invalidCredentials(): ApiError {
  return ApiError.unauthorized('Invalid credentials');
}

interface SessionUser {
  id: number;
  email: string;
  active: boolean;
  isSuperAdmin: boolean;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: AuthRepository,
    private readonly passwords: PasswordService,
    private readonly accounts: AccountsService,
    private readonly jwt: JwtService,
  ) {}

  login(dto: LoginDto): Promise<SessionDto> {
    return dto.apiKey !== undefined
      ? this.loginWithKey(dto.apiKey, dto.apiSecret as string)
      : this.loginWithPassword(dto.email as string, dto.password as string);
  }

  /** The session behind the caller's token (the token is echoed back, not renewed). */
  async session(principal: Principal): Promise<SessionDto> {
    const access = await this.accounts.accessOf(subjectOf(principal));
    const user = { id: principal.userId, email: principal.email, active: true, isSuperAdmin: principal.isSuperAdmin };
    return this.compose(user, principal.apiKeyId, access, principal.token, principal.expiresAt);
  }

  private async loginWithPassword(rawEmail: string, password: string): Promise<SessionDto> {
    const user = await this.repo.findUserByEmail(this.tx.manager, normalizeEmail(rawEmail));
    // Always run argon2 (against a dummy hash when there is no user), so timing tells nothing either.
    const matches = await this.passwords.verify(user?.passwordHash, password);
    if (!user || !matches || !user.active) throw invalidCredentials();
    const access = await this.accounts.accessOf({ userId: user.id, apiKey: null });
    const token = await this.sign({ sub: String(user.id), typ: 'user' });
    return this.compose(user, null, access, token, this.expiryOf(token));
  }

  private async loginWithKey(publicKey: string, secret: string): Promise<SessionDto> {
    const key = await this.repo.findApiKeyByPublicKey(this.tx.manager, publicKey);
    const matches = apiKeySecretMatches(secret, key?.secretHash);
    if (!key || !matches || !key.active) throw invalidCredentials();
    const user = await this.repo.findUserById(this.tx.manager, key.createdByUserId);
    if (!user?.active) throw invalidCredentials();
    // A key whose creator is no longer an active member of its account cannot act at all.
    const access = await this.accounts.accessOf(keySubject(key));
    if (!access.length) throw invalidCredentials();
    const token = await this.sign({ sub: String(user.id), typ: 'key', kid: key.id });
    return this.compose(user, key.id, access, token, this.expiryOf(token));
  }

  private sign(payload: TokenPayload): Promise<string> {
    return this.jwt.signAsync(payload);
  }

  private expiryOf(token: string): Date {
    const { exp } = this.jwt.decode<TokenPayload>(token);
    return new Date((exp ?? 0) * 1000);
  }

  private compose(user: SessionUser, apiKeyId: number | null, access: AccountAccess[], token: string, expiresAt: Date): SessionDto {
    const primary = access.find((a) => a.primary) ?? null;
    const roles =
      apiKeyId !== null ? ['apiKey'] : [...(user.isSuperAdmin ? ['superAdmin'] : []), ...(primary ? [primary.membership.role] : [])];
    const accounts = access.map((a) => ({
      accountId: String(a.membership.accountId),
      accountName: a.membership.account.name,
      usersPrimaryAccount: a.primary,
      accountAdmin: a.membership.role === 'admin',
    }));
    const session: SessionDto = {
      id: user.id,
      email: user.email,
      active: user.active,
      // As the CRM this follows answers it: the primary account's item of `accounts`.
      primaryAccount: accounts.find((a) => a.usersPrimaryAccount) ?? null,
      accounts,
      roles,
      permissions: primary ? [...primary.permissions] : [],
      token,
      expiresAt: expiresAt.toISOString(),
    };
    if (apiKeyId !== null) session.apiKeyId = apiKeyId;
    return session;
  }
}

function keySubject(key: ApiKey) {
  return { userId: key.createdByUserId, apiKey: { accountId: key.accountId, permissions: key.permissions } };
}
