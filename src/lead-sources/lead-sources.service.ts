import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Actor } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { validationFailed } from '../common/errors/validation-failed';
import { Page, paginate } from '../common/list/paginate';
import { TransactionService } from '../database/transaction.service';
import { TeamsRepository } from '../teams/teams.repository';
import { CreateLeadSourceDto, UpdateLeadSourceDto } from './dto/lead-source-input.dto';
import { LeadSourceResponseDto } from './dto/lead-source-response.dto';
import { ListLeadSourcesQueryDto } from './dto/list-lead-sources-query.dto';
import { LeadSource } from './entities/lead-source.entity';
import { toLeadSourceResponse } from './lead-source.mapper';
import { LEAD_SOURCE_LIST_SPEC, LeadSourcesRepository } from './lead-sources.repository';

@Injectable()
export class LeadSourcesService {
  constructor(
    private readonly tx: TransactionService,
    private readonly sources: LeadSourcesRepository,
    private readonly teams: TeamsRepository,
  ) {}

  list(accountId: number, query: ListLeadSourcesQueryDto): Promise<Page<LeadSourceResponseDto>> {
    const qb = this.sources.listQuery(this.tx.manager, accountId, { active: query.active, teamId: query.teamId, name: query.name });
    return paginate(qb, query, LEAD_SOURCE_LIST_SPEC, toLeadSourceResponse);
  }

  async get(accountId: number, id: number): Promise<LeadSourceResponseDto> {
    const source = await this.sources.findById(this.tx.manager, accountId, id);
    if (!source) throw ApiError.notFound('Lead source');
    return toLeadSourceResponse(source);
  }

  create(accountId: number, actor: Actor, dto: CreateLeadSourceDto): Promise<LeadSourceResponseDto> {
    return this.tx.run(async (em) => {
      const teamId = dto.teamId ?? null;
      await this.checkTeam(em, accountId, teamId);
      const source = await this.sources.insert(em, accountId, {
        name: dto.name,
        teamId,
        active: dto.active ?? true,
        createdBy: actor.email,
        updatedBy: actor.email,
      });
      return toLeadSourceResponse(source);
    });
  }

  /** An empty body changes nothing (and does not touch updatedAt/updatedBy). */
  update(accountId: number, actor: Actor, id: number, dto: UpdateLeadSourceDto): Promise<LeadSourceResponseDto> {
    return this.tx.run(async (em) => {
      const source = await this.sources.findById(em, accountId, id, { lock: true });
      if (!source) throw ApiError.notFound('Lead source');
      const changes: Partial<Pick<LeadSource, 'name' | 'teamId' | 'active'>> = {};
      if (dto.name !== undefined) changes.name = dto.name;
      if (dto.active !== undefined) changes.active = dto.active;
      if (dto.teamId !== undefined) {
        await this.checkTeam(em, accountId, dto.teamId);
        changes.teamId = dto.teamId;
      }
      if (!Object.keys(changes).length) return toLeadSourceResponse(source);
      await this.sources.update(em, accountId, id, { ...changes, updatedBy: actor.email });
      return toLeadSourceResponse((await this.sources.findById(em, accountId, id))!);
    });
  }

  /**
   * Refuses (409) while leads refer to the source. The row is locked first, so on PostgreSQL a lead
   * inserted concurrently waits and then fails its foreign key; the RESTRICT foreign key stays as
   * the backstop.
   */
  remove(accountId: number, id: number): Promise<LeadSourceResponseDto> {
    return this.tx.run(async (em) => {
      const source = await this.sources.findById(em, accountId, id, { lock: true });
      if (!source) throw ApiError.notFound('Lead source');
      const leads = await this.sources.countLeads(em, accountId, id);
      if (leads) throw ApiError.conflict(`Lead source ${id} is used by ${leads} lead${leads === 1 ? '' : 's'}; deactivate it instead`);
      await this.sources.delete(em, accountId, id);
      return toLeadSourceResponse(source);
    });
  }

  /** A team of the account (active or not), or null. */
  private async checkTeam(em: EntityManager, accountId: number, teamId: number | null): Promise<void> {
    if (teamId === null || (await this.teams.existsInAccount(em, accountId, teamId))) return;
    throw validationFailed([{ field: 'teamId', message: `team ${teamId} is not a team of this account` }]);
  }
}
