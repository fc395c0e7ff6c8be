import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiKey } from '../api-keys/entities/api-key.entity';
import { User } from '../users/entities/user.entity';

/** The reads behind login and start-up bootstrap. Users are platform-wide (not account data). */
@Injectable()
export class AuthRepository {
  /** `email` must already be lower-cased (emails are stored lower-cased). */
  findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
    return em.findOne(User, { where: { email } });
  }

  findUserById(em: EntityManager, id: number): Promise<User | null> {
    return em.findOne(User, { where: { id } });
  }

  /** An API key by its public id, whatever its account (the key names its own account). */
  findApiKeyByPublicKey(em: EntityManager, key: string): Promise<ApiKey | null> {
    return em.findOne(ApiKey, { where: { key } });
  }

  findApiKeyById(em: EntityManager, id: number): Promise<ApiKey | null> {
    return em.findOne(ApiKey, { where: { id } });
  }

  async anyUserExists(em: EntityManager): Promise<boolean> {
    const rows = await em.createQueryBuilder().select('u.id', 'id').from(User, 'u').limit(1).getRawMany();
    return rows.length > 0;
  }

  insertUser(em: EntityManager, u: { email: string; name: string | null; passwordHash: string | null; isSuperAdmin: boolean }): Promise<User> {
    return em.save(em.create(User, { ...u, active: true }));
  }
}
