import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { ListSpec } from '../common/list/paginate';
import { forUpdate } from '../database/locking';
import { LeadSource } from '../lead-sources/entities/lead-source.entity';
import { Lead } from '../leads/entities/lead.entity';
import { LeadRotation } from '../rotations/entities/lead-rotation.entity';
import { Membership } from '../users/entities/membership.entity';
import { User } from '../users/entities/user.entity';
import { TEAM_SORT_FIELDS } from './dto/list-teams-query.dto';
import { TeamMemberDto } from './dto/team-response.dto';
import { TeamMember } from './entities/team-member.entity';
import { Team } from './entities/team.entity';

export const TEAM_LIST_SPEC: ListSpec = {
  sortable: {
    id: 't.id',
    name: 'LOWER(t.name)',
    active: 't.active',
    createdAt: 't.created_at',
    updatedAt: 't.updated_at',
  } satisfies Record<(typeof TEAM_SORT_FIELDS)[number], string>,
  searchable: ['t.name'],
  defaultSort: 'id',
  idColumn: 't.id',
};

export interface TeamFilters {
  active?: boolean;
  name?: string;
}

/** How many records refer to a team (each reference blocks its deletion). */
export interface TeamUsage {
  leads: number;
  leadSources: number;
  leadRotations: number;
}

type TeamValues = Pick<Team, 'name' | 'active' | 'createdBy' | 'updatedBy'>;

/** Data access for teams and their members; every method is scoped to one account. */
@Injectable()
export class TeamsRepository {
  /** The team, optionally locked until the transaction ends (PostgreSQL). */
  findById(em: EntityManager, accountId: number, id: number, opts: { lock?: boolean } = {}): Promise<Team | null> {
    const qb = em.getRepository(Team).createQueryBuilder('t').where('t.id = :id AND t.account_id = :accountId', { id, accountId });
    return (opts.lock ? forUpdate(qb) : qb).getOne();
  }

  async existsInAccount(em: EntityManager, accountId: number, id: number): Promise<boolean> {
    return em.getRepository(Team).exists({ where: { id, accountId } });
  }

  /** Small projections of the given teams ({id, name, active}), keyed by id, for embedding. */
  async summaries(em: EntityManager, accountId: number, ids: number[]): Promise<Map<number, Pick<Team, 'id' | 'name' | 'active'>>> {
    if (!ids.length) return new Map();
    const rows = await em
      .getRepository(Team)
      .createQueryBuilder('t')
      .select(['t.id', 't.name', 't.active'])
      .where('t.account_id = :accountId AND t.id IN (:...ids)', { accountId, ids: [...new Set(ids)] })
      .getMany();
    return new Map(rows.map((t) => [t.id, t]));
  }

  listQuery(em: EntityManager, accountId: number, filters: TeamFilters): SelectQueryBuilder<Team> {
    const qb = em.getRepository(Team).createQueryBuilder('t').where('t.account_id = :accountId', { accountId });
    if (filters.active !== undefined) qb.andWhere('t.active = :active', { active: filters.active });
    if (filters.name !== undefined) qb.andWhere('LOWER(t.name) = :name', { name: filters.name.trim().toLowerCase() });
    return qb;
  }

  /**
   * The members of several teams in one query, in their stored order. Only current users of the
   * account are listed: someone removed from the account no longer shows as a member.
   */
  async membersOf(em: EntityManager, accountId: number, teamIds: number[]): Promise<Map<number, TeamMemberDto[]>> {
    const out = new Map<number, TeamMemberDto[]>();
    if (!teamIds.length) return out;
    const rows = await em
      .createQueryBuilder()
      .select('tm.team_id', 'teamId')
      .addSelect('u.id', 'userId')
      .addSelect('u.email', 'email')
      .addSelect('u.name', 'name')
      .from(TeamMember, 'tm')
      .innerJoin(Team, 't', 't.id = tm.team_id AND t.account_id = :accountId', { accountId })
      .innerJoin(User, 'u', 'u.id = tm.user_id')
      .innerJoin(Membership, 'm', 'm.user_id = u.id AND m.account_id = t.account_id')
      .where('tm.team_id IN (:...teamIds)', { teamIds: [...new Set(teamIds)] })
      .orderBy('tm.team_id', 'ASC')
      .addOrderBy('tm.position', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .getRawMany<{ teamId: number; userId: number; email: string; name: string | null }>();
    for (const r of rows) {
      const teamId = Number(r.teamId);
      if (!out.has(teamId)) out.set(teamId, []);
      out.get(teamId)!.push({ userId: Number(r.userId), email: r.email, name: r.name });
    }
    return out;
  }

  insert(em: EntityManager, accountId: number, values: TeamValues): Promise<Team> {
    return em.save(em.create(Team, { ...values, accountId }));
  }

  async update(em: EntityManager, accountId: number, id: number, values: Partial<TeamValues>): Promise<void> {
    await em.update(Team, { id, accountId }, values);
  }

  /** Replaces the team's members with `userIds`, keeping their order in `position`. */
  async replaceMembers(em: EntityManager, teamId: number, userIds: number[]): Promise<void> {
    await em.delete(TeamMember, { teamId });
    if (userIds.length)
      await em.insert(
        TeamMember,
        userIds.map((userId, position) => ({ teamId, userId, position })),
      );
  }

  /** Counts the leads, lead sources and rotations that refer to the team, in one query. */
  async usage(em: EntityManager, accountId: number, id: number): Promise<TeamUsage> {
    const row = await em
      .createQueryBuilder()
      .select((sq) => sq.select('COUNT(*)').from(Lead, 'l').where('l.account_id = t.account_id AND l.team_id = t.id'), 'leads')
      .addSelect(
        (sq) => sq.select('COUNT(*)').from(LeadSource, 's').where('s.account_id = t.account_id AND s.team_id = t.id'),
        'leadSources',
      )
      .addSelect(
        (sq) => sq.select('COUNT(*)').from(LeadRotation, 'r').where('r.account_id = t.account_id AND r.team_id = t.id'),
        'leadRotations',
      )
      .from(Team, 't')
      .where('t.id = :id AND t.account_id = :accountId', { id, accountId })
      .getRawOne<{ leads: unknown; leadSources: unknown; leadRotations: unknown }>();
    return { leads: Number(row?.leads ?? 0), leadSources: Number(row?.leadSources ?? 0), leadRotations: Number(row?.leadRotations ?? 0) };
  }

  /** Deletes the team; its member rows go with it (ON DELETE CASCADE). */
  async delete(em: EntityManager, accountId: number, id: number): Promise<void> {
    await em.delete(Team, { id, accountId });
  }
}
