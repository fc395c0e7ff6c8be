import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { ListSpec } from '../common/list/paginate';
import { forUpdate } from '../database/locking';
import { ROTATION_SORT_FIELDS } from './dto/list-lead-rotations-query.dto';
import { LeadRotation, RotationStatus } from './entities/lead-rotation.entity';

export const ROTATION_LIST_SPEC: ListSpec = {
  sortable: {
    id: 'r.id',
    name: 'LOWER(r.name)',
    status: 'r.status',
    createdAt: 'r.created_at',
    updatedAt: 'r.updated_at',
    currentPosition: 'r.current_position',
  } satisfies Record<(typeof ROTATION_SORT_FIELDS)[number], string>,
  searchable: ['r.name'],
  defaultSort: 'id',
  idColumn: 'r.id',
};

export interface RotationFilters {
  statuses: RotationStatus[];
  teamId?: number;
  name?: string;
}

export type RotationValues = Pick<
  LeadRotation,
  | 'name'
  | 'isDefault'
  | 'status'
  | 'teamId'
  | 'userRotationArray'
  | 'currentPosition'
  | 'weights'
  | 'dailyCaps'
  | 'routingState'
  | 'createdBy'
  | 'updatedBy'
>;

/** Data access for lead rotations; every method is scoped to one account. Picks move pointers through RoutingRepository. */
@Injectable()
export class RotationsRepository {
  /** The rotation without its team, optionally locked until the transaction ends (PostgreSQL). */
  findById(em: EntityManager, accountId: number, id: number, opts: { lock?: boolean } = {}): Promise<LeadRotation | null> {
    const qb = em.getRepository(LeadRotation).createQueryBuilder('r').where('r.id = :id AND r.account_id = :accountId', { id, accountId });
    return (opts.lock ? forUpdate(qb) : qb).getOne();
  }

  /** Rotations with their team joined (`r.team`), filtered. */
  listQuery(em: EntityManager, accountId: number, filters: RotationFilters): SelectQueryBuilder<LeadRotation> {
    const qb = em
      .getRepository(LeadRotation)
      .createQueryBuilder('r')
      .leftJoinAndSelect('r.team', 'team', 'team.account_id = r.account_id')
      .where('r.account_id = :accountId', { accountId })
      .andWhere('r.status IN (:...statuses)', { statuses: filters.statuses });
    if (filters.teamId !== undefined) qb.andWhere('r.team_id = :teamId', { teamId: filters.teamId });
    if (filters.name !== undefined) qb.andWhere('LOWER(r.name) = :name', { name: filters.name.trim().toLowerCase() });
    return qb;
  }

  insert(em: EntityManager, accountId: number, values: RotationValues): Promise<LeadRotation> {
    return em.save(em.create(LeadRotation, { ...values, accountId }));
  }

  async update(em: EntityManager, accountId: number, id: number, values: Partial<RotationValues>): Promise<void> {
    await em.update(LeadRotation, { id, accountId }, values);
  }

  async delete(em: EntityManager, accountId: number, id: number): Promise<void> {
    await em.delete(LeadRotation, { id, accountId });
  }
}
