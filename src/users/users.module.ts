import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { AuthModule } from '../auth/auth.module';
import { AccountMembersRepository } from './account-members.repository';
import { AccountMembersService } from './account-members.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [AuthModule, ApiKeysModule],
  controllers: [UsersController],
  providers: [AccountMembersRepository, AccountMembersService, UsersRepository, UsersService],
  exports: [AccountMembersService],
})
export class UsersModule {}
