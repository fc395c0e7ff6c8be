import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AccountsModule } from '../accounts/accounts.module';
import { appConfig, AppConfigType } from '../config/app-config';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { BootstrapService } from './bootstrap.service';
import { PasswordService } from './password.service';
import { PrincipalService } from './principal.service';
import { JWT_ALGORITHM, SessionTokens } from './session-tokens';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfigType) => ({
        // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it as
        // a public key on every sign and verify, which cost a third of a simple request's CPU. (It
        // accepts a KeyObject for HS256; @nestjs/jwt passes it on unchanged, its types predate that.)
        secret: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) as unknown as Buffer,
        signOptions: { algorithm: JWT_ALGORITHM, expiresIn: config.jwt.ttlSeconds },
        verifyOptions: { algorithms: [JWT_ALGORITHM] },
      }),
    }),
    AccountsModule,
  ],
  controllers: [AuthController],
  providers: [PrincipalService, SessionTokens, PasswordService, AuthRepository, AuthService, BootstrapService],
  exports: [PrincipalService, SessionTokens, JwtModule, PasswordService],
})
export class AuthModule {}
