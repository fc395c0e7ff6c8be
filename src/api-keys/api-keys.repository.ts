import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { ApiKey } from './entities/api-key.entity';

/** API keys of one account: every method takes the account id and filters by it. */
@Injectable()
export class ApiKeysRepository {
  listQuery(em: EntityManager, accountId: number, filters: { active?: boolean }): SelectQueryBuilder<ApiKey> {
    const qb = em.createQueryBuilder(ApiKey, 'k').where('k.account_id = :accountId', { accountId });
    if (filters.active !== undefined) qb.andWhere('k.active = :active', { active: filters.active });
    return qb;
  }

  findInAccount(em: EntityManager, accountId: number, id: number): Promise<ApiKey | null> {
    return em.findOne(ApiKey, { where: { id, accountId } });
  }

  insert(
    em: EntityManager,
    accountId: number,
    k: { key: string; secretHash: string; name: string; permissions: string[]; createdByUserId: number; createdBy: string },
  ): Promise<ApiKey> {
    return em.save(em.create(ApiKey, { ...k, accountId, active: true, updatedBy: k.createdBy }));
  }

  /** Saves changes to a key loaded with `findInAccount` (so it is known to be in the account). */
  save(em: EntityManager, key: ApiKey): Promise<ApiKey> {
    return em.save(key);
  }

  async delete(em: EntityManager, accountId: number, id: number): Promise<void> {
    await em.delete(ApiKey, { accountId, id });
  }

  /** Switches off the keys a user created in the account (they are removed from it). */
  async deactivateCreatedBy(em: EntityManager, accountId: number, userId: number, updatedBy: string): Promise<void> {
    await em.update(ApiKey, { accountId, createdByUserId: userId, active: true }, { active: false, updatedBy });
  }
}
