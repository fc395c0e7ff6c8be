import { Module } from '@nestjs/common';
import { RoutingRepository } from './routing.repository';
import { RoutingService } from './routing.service';

@Module({
  providers: [RoutingService, RoutingRepository],
  exports: [RoutingService, RoutingRepository],
})
export class RoutingModule {}
