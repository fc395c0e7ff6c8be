import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AccountsModule } from '../accounts/accounts.module';
import { appConfig, AppConfigType } from '../config/app-config';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { BootstrapService } from './bootstrap.service';
import { JWT_ALGORITHM, JwtStrategy } from './jwt.strategy';
import { PasswordService } from './password.service';
import { PrincipalService } from './principal.service';

@Module({
  imports: [
    PassportModule.register({ session: false }),
    JwtModule.registerAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfigType) => ({
        secret: config.jwt.secret,
        signOptions: { algorithm: JWT_ALGORITHM, expiresIn: config.jwt.ttlSeconds },
        verifyOptions: { algorithms: [JWT_ALGORITHM] },
      }),
    }),
    AccountsModule,
  ],
  controllers: [AuthController],
  providers: [PrincipalService, JwtStrategy, PasswordService, AuthRepository, AuthService, BootstrapService],
  exports: [PrincipalService, JwtModule, PasswordService],
})
export class AuthModule {}
