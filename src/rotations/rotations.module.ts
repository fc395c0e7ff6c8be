import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/teams.module';
import { UsersModule } from '../users/users.module';
import { RotationPointerRepository } from './rotation-pointer.repository';
import { RotationsController } from './rotations.controller';
import { RotationsRepository } from './rotations.repository';
import { RotationsService } from './rotations.service';

@Module({
  imports: [TeamsModule, UsersModule],
  controllers: [RotationsController],
  providers: [RotationsService, RotationsRepository, RotationPointerRepository],
  exports: [RotationPointerRepository],
})
export class RotationsModule {}
