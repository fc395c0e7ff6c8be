import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Actor } from '../auth/principal';
import { ApiError, ErrorDetail } from '../common/errors/api-error';
import { validationFailed } from '../common/errors/validation-failed';
import { Page, paginate } from '../common/list/paginate';
import { TransactionService } from '../database/transaction.service';
import { AccountMembersService } from '../users/account-members.service';
import { CreateTeamDto, TeamMemberInputDto, UpdateTeamDto } from './dto/team-input.dto';
import { TeamResponseDto } from './dto/team-response.dto';
import { ListTeamsQueryDto } from './dto/list-teams-query.dto';
import { Team } from './entities/team.entity';
import { toTeamResponse } from './team.mapper';
import { TEAM_LIST_SPEC, TeamsRepository, TeamUsage } from './teams.repository';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "3 leads, 1 lead source and 2 lead rotations" for the references that exist. */
export function describeUsage(usage: TeamUsage): string | null {
  const parts = [
    usage.leads ? plural(usage.leads, 'lead') : null,
    usage.leadSources ? plural(usage.leadSources, 'lead source') : null,
    usage.leadRotations ? plural(usage.leadRotations, 'lead rotation') : null,
  ].filter((p): p is string => p !== null);
  if (!parts.length) return null;
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

@Injectable()
export class TeamsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly teams: TeamsRepository,
    private readonly accountMembers: AccountMembersService,
  ) {}

  async list(accountId: number, query: ListTeamsQueryDto): Promise<Page<TeamResponseDto>> {
    const em = this.tx.manager;
    const page = await paginate(
      this.teams.listQuery(em, accountId, { active: query.active ?? true, name: query.name }),
      query,
      TEAM_LIST_SPEC,
    );
    const members = await this.teams.membersOf(
      em,
      accountId,
      page.data.map((t) => t.id),
    );
    return { ...page, data: page.data.map((t) => toTeamResponse(t, members.get(t.id) ?? [])) };
  }

  async get(accountId: number, id: number): Promise<TeamResponseDto> {
    const em = this.tx.manager;
    const team = await this.teams.findById(em, accountId, id);
    if (!team) throw ApiError.notFound('Team');
    return this.view(em, accountId, team);
  }

  create(accountId: number, actor: Actor, dto: CreateTeamDto): Promise<TeamResponseDto> {
    return this.tx.run(async (em) => {
      const userIds = await this.checkMembers(em, accountId, dto.members ?? []);
      const team = await this.teams.insert(em, accountId, {
        name: dto.name,
        active: dto.active ?? true,
        createdBy: actor.email,
        updatedBy: actor.email,
      });
      await this.teams.replaceMembers(em, team.id, userIds);
      return this.view(em, accountId, team);
    });
  }

  /** An empty body changes nothing (and does not touch updatedAt/updatedBy). */
  update(accountId: number, actor: Actor, id: number, dto: UpdateTeamDto): Promise<TeamResponseDto> {
    return this.tx.run(async (em) => {
      // Locked so concurrent updates of the member list apply one after the other.
      const team = await this.teams.findById(em, accountId, id, { lock: true });
      if (!team) throw ApiError.notFound('Team');
      const userIds = dto.members !== undefined ? await this.checkMembers(em, accountId, dto.members) : null;
      const changes: Partial<Pick<Team, 'name' | 'active'>> = {};
      if (dto.name !== undefined) changes.name = dto.name;
      if (dto.active !== undefined) changes.active = dto.active;
      if (!Object.keys(changes).length && userIds === null) return this.view(em, accountId, team);
      await this.teams.update(em, accountId, id, { ...changes, updatedBy: actor.email });
      if (userIds !== null) await this.teams.replaceMembers(em, id, userIds);
      return this.view(em, accountId, (await this.teams.findById(em, accountId, id))!);
    });
  }

  /**
   * Refuses (409) while leads, lead sources or rotations refer to the team: deactivating keeps the
   * history intact. The row is locked first, so on PostgreSQL a lead inserted concurrently waits for
   * this transaction and then fails its foreign key instead of slipping past the count; the
   * RESTRICT foreign keys stay as the backstop.
   */
  remove(accountId: number, id: number): Promise<TeamResponseDto> {
    return this.tx.run(async (em) => {
      const team = await this.teams.findById(em, accountId, id, { lock: true });
      if (!team) throw ApiError.notFound('Team');
      const usage = describeUsage(await this.teams.usage(em, accountId, id));
      if (usage) throw ApiError.conflict(`Team ${id} is used by ${usage}; deactivate it instead`);
      const deleted = await this.view(em, accountId, team);
      await this.teams.delete(em, accountId, id);
      return deleted;
    });
  }

  private async view(em: EntityManager, accountId: number, team: Team): Promise<TeamResponseDto> {
    const members = await this.teams.membersOf(em, accountId, [team.id]);
    return toTeamResponse(team, members.get(team.id) ?? []);
  }

  /** The member user ids, in order, after checking each is a user of the account (active or not). */
  private async checkMembers(em: EntityManager, accountId: number, members: TeamMemberInputDto[]): Promise<number[]> {
    const userIds = members.map((m) => m.userId);
    const known = await this.accountMembers.byIds(em, accountId, userIds);
    const problems: ErrorDetail[] = [];
    userIds.forEach((userId, i) => {
      if (!known.has(userId)) problems.push({ field: `members.${i}.userId`, message: `user ${userId} is not a user of this account` });
    });
    if (problems.length) throw validationFailed(problems);
    return userIds;
  }
}
