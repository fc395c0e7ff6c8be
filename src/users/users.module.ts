import { Module } from '@nestjs/common';
import { AccountMembersService } from './account-members.service';

@Module({
  providers: [AccountMembersService],
  exports: [AccountMembersService],
})
export class UsersModule {}
