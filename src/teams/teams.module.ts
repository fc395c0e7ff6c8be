import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { TeamsController } from './teams.controller';
import { TeamsRepository } from './teams.repository';
import { TeamsService } from './teams.service';

@Module({
  imports: [UsersModule],
  controllers: [TeamsController],
  providers: [TeamsService, TeamsRepository],
  // Lead sources, rotations and leads check that a teamId belongs to the account through it.
  exports: [TeamsRepository],
})
export class TeamsModule {}
