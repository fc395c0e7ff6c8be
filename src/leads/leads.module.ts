import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module';
import { UsersModule } from '../users/users.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { LeadsController, RoutingPreviewController } from './leads.controller';
import { LeadsRepository } from './leads.repository';
import { LeadsService } from './leads.service';

@Module({
  imports: [RoutingModule, UsersModule, WebhooksModule],
  controllers: [LeadsController, RoutingPreviewController],
  providers: [LeadsService, LeadsRepository],
})
export class LeadsModule {}
