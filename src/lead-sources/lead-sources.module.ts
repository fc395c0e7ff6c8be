import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/teams.module';
import { LeadSourcesController } from './lead-sources.controller';
import { LeadSourcesRepository } from './lead-sources.repository';
import { LeadSourcesService } from './lead-sources.service';

@Module({
  imports: [TeamsModule],
  controllers: [LeadSourcesController],
  providers: [LeadSourcesService, LeadSourcesRepository],
  // POST /leads checks a leadSourceId against the account (and its team) through it.
  exports: [LeadSourcesRepository],
})
export class LeadSourcesModule {}
