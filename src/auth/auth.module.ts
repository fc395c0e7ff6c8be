import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { appConfig, AppConfigType } from '../config/app-config';
import { JWT_ALGORITHM, JwtStrategy } from './jwt.strategy';
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
  ],
  providers: [PrincipalService, JwtStrategy],
  exports: [PrincipalService, JwtModule],
})
export class AuthModule {}
