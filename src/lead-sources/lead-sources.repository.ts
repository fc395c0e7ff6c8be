import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { ListSpec } from '../common/list/paginate';
import { forUpdate } from '../database/locking';
import { Lead } from '../leads/entities/lead.entity';
import { LEAD_SOURCE_SORT_FIELDS } from './dto/list-lead-sources-query.dto';
import { LeadSource } from './entities/lead-source.entity';

export const LEAD_SOURCE_LIST_SPEC: ListSpec = {
  sortable: {
    id: 's.id',
    name: 'LOWER(s.name)',
    active: 's.active',
    teamId: 's.team_id',
    createdAt: 's.created_at',
    updatedAt: 's.updated_at',
  } satisfies Record<(typeof LEAD_SOURCE_SORT_FIELDS)[number], string>,
  searchable: ['s.name'],
  defaultSort: 'id',
  idColumn: 's.id',
  nullable: ['s.team_id'],
};

export interface LeadSourceFilters {
  active?: boolean;
  teamId?: number;
  name?: string;
}

type LeadSourceValues = Pick<LeadSource, 'name' | 'teamId' | 'active' | 'createdBy' | 'updatedBy'>;

/** Data access for lead sources; every method is scoped to one account. */
@Injectable()
export class LeadSourcesRepository {
  /** The source, optionally locked until the transaction ends (PostgreSQL). */
  findById(em: EntityManager, accountId: number, id: number, opts: { lock?: boolean } = {}): Promise<LeadSource | null> {
    const qb = em.getRepository(LeadSource).createQueryBuilder('s').where('s.id = :id AND s.account_id = :accountId', { id, accountId });
    return (opts.lock ? forUpdate(qb) : qb).getOne();
  }

  listQuery(em: EntityManager, accountId: number, filters: LeadSourceFilters): SelectQueryBuilder<LeadSource> {
    const qb = em.getRepository(LeadSource).createQueryBuilder('s').where('s.account_id = :accountId', { accountId });
    if (filters.active !== undefined) qb.andWhere('s.active = :active', { active: filters.active });
    if (filters.teamId !== undefined) qb.andWhere('s.team_id = :teamId', { teamId: filters.teamId });
    if (filters.name !== undefined) qb.andWhere('LOWER(s.name) = :name', { name: filters.name.trim().toLowerCase() });
    return qb;
  }

  insert(em: EntityManager, accountId: number, values: LeadSourceValues): Promise<LeadSource> {
    return em.save(em.create(LeadSource, { ...values, accountId }));
  }

  async update(em: EntityManager, accountId: number, id: number, values: Partial<LeadSourceValues>): Promise<void> {
    await em.update(LeadSource, { id, accountId }, values);
  }

  /** How many leads refer to the source. */
  countLeads(em: EntityManager, accountId: number, id: number): Promise<number> {
    return em.getRepository(Lead).count({ where: { accountId, leadSourceId: id } });
  }

  async delete(em: EntityManager, accountId: number, id: number): Promise<void> {
    await em.delete(LeadSource, { id, accountId });
  }
}
