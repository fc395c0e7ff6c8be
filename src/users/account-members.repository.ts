import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { dialectOf, param } from '../database/dialect';
import { preparedQuery } from '../database/prepared';
import { Membership } from './entities/membership.entity';
import { User } from './entities/user.entity';

/** A user of the account as one row: the user's and the membership's active flags apart. */
export interface AccountMemberRow {
  id: number;
  email: string;
  name: string | null;
  user_active: unknown;
  m_active: unknown;
}

/** Users joined to their membership in one account; every method takes the account id and filters by it. */
@Injectable()
export class AccountMembersRepository {
  /** Members of the account (active or not) among the given user ids. */
  findByIds(em: EntityManager, accountId: number, ids: number[]): Promise<AccountMemberRow[]> {
    return em
      .createQueryBuilder()
      .select('u.id', 'id')
      .addSelect('u.email', 'email')
      .addSelect('u.name', 'name')
      .addSelect('u.active', 'user_active')
      .addSelect('m.active', 'm_active')
      .from(User, 'u')
      .innerJoin(Membership, 'm', 'm.user_id = u.id AND m.account_id = :accountId', { accountId })
      .where('u.id IN (:...ids)', { ids })
      .getRawMany<AccountMemberRow>();
  }

  /**
   * Members of the account (active or not) among the given lower-cased emails. Fixed text, prepared on
   * PostgreSQL where the list is one array parameter: POST /leads asks this for every given assignee.
   */
  findByEmails(em: EntityManager, accountId: number, emails: string[]): Promise<AccountMemberRow[]> {
    const dialect = dialectOf(em);
    const pg = dialect === 'postgres';
    return preparedQuery<AccountMemberRow>(
      em,
      `SELECT u.id AS id, u.email AS email, u.name AS name, u.active AS user_active, m.active AS m_active
       FROM users u INNER JOIN memberships m ON m.user_id = u.id AND m.account_id = ${param(dialect, 1)}
       WHERE u.email ${pg ? `= ANY(${param(dialect, 2)})` : `IN (${emails.map((_, i) => param(dialect, i + 2)).join(', ')})`}`,
      pg ? [accountId, emails] : [accountId, ...emails],
    );
  }
}
