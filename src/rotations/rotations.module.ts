import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/teams.module';
import { UsersModule } from '../users/users.module';
import { RoutingModule } from '../routing/routing.module';
import { RotationsController } from './rotations.controller';
import { RotationsRepository } from './rotations.repository';
import { RotationsService } from './rotations.service';

@Module({
  imports: [TeamsModule, UsersModule, RoutingModule],
  controllers: [RotationsController],
  providers: [RotationsService, RotationsRepository],
})
export class RotationsModule {}
