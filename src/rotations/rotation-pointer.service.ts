import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { Membership } from '../users/entities/membership.entity';
import { User } from '../users/entities/user.entity';
import { LeadRotation } from './entities/lead-rotation.entity';

export interface EligibleUser {
  id: number;
  email: string;
  name: string | null;
}

/** The outcome of one pointer advance. */
export interface RotationPick {
  rotation: LeadRotation;
  /** The picked user, or null when nobody in the rotation is an active member (pointer unchanged). */
  user: EligibleUser | null;
  /** Index of the picked user (the pointer before the advance when nobody was skipped). */
  pickedPosition: number | null;
  previousPosition: number;
  newPosition: number;
}

/**
 * The one piece of code that moves a rotation's pointer, shared by GET /lead-rotations/{id}/next-user
 * and POST /leads so a manual pick and an automatic one never collide. It must run inside the
 * caller's transaction: on PostgreSQL the rotation row is locked (SELECT … FOR UPDATE) until that
 * transaction commits, so concurrent callers on any number of instances take consecutive slots;
 * on SQLite the connection lock already serializes transactions.
 */
@Injectable()
export class RotationPointerService {
  /** Locks the rotation (any status) and advances it. Null when it does not exist in the account. */
  async advanceById(em: EntityManager, accountId: number, rotationId: number): Promise<RotationPick | null> {
    const rotation = await this.lock(
      em.getRepository(LeadRotation).createQueryBuilder('r').where('r.id = :rotationId AND r.account_id = :accountId', {
        rotationId,
        accountId,
      }),
      em,
    );
    return rotation ? this.advance(em, rotation) : null;
  }

  /**
   * Picks the rotation a new lead goes through (the team's active rotation, else the account's
   * active default) and advances it. Null when no rotation applies.
   */
  async advanceForLead(em: EntityManager, accountId: number, teamId: number | null): Promise<RotationPick | null> {
    const repo = em.getRepository(LeadRotation);
    let rotation: LeadRotation | null = null;
    if (teamId !== null) {
      rotation = await this.lock(
        repo
          .createQueryBuilder('r')
          .where(`r.account_id = :accountId AND r.team_id = :teamId AND r.status = 'active'`, { accountId, teamId }),
        em,
      );
    }
    rotation ??= await this.lock(
      repo
        .createQueryBuilder('r')
        .where(`r.account_id = :accountId AND r.team_id IS NULL AND r.is_default = :yes AND r.status = 'active'`, {
          accountId,
          yes: true,
        }),
      em,
    );
    return rotation ? this.advance(em, rotation) : null;
  }

  /** Active members of the account among `emails` (user active and membership active). */
  async eligibleUsers(em: EntityManager, accountId: number, emails: string[]): Promise<Map<string, EligibleUser>> {
    if (!emails.length) return new Map();
    const rows = await em
      .createQueryBuilder()
      .select('u.id', 'id')
      .addSelect('u.email', 'email')
      .addSelect('u.name', 'name')
      .from(User, 'u')
      .innerJoin(Membership, 'm', 'm.user_id = u.id AND m.account_id = :accountId', { accountId })
      .where('u.email IN (:...emails) AND u.active = :yes AND m.active = :yes', { emails: [...new Set(emails)], yes: true })
      .getRawMany<{ id: number; email: string; name: string | null }>();
    return new Map(rows.map((r) => [r.email, { id: Number(r.id), email: r.email, name: r.name }]));
  }

  private lock(qb: SelectQueryBuilder<LeadRotation>, em: EntityManager): Promise<LeadRotation | null> {
    if (em.connection.options.type === 'postgres') qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  private async advance(em: EntityManager, rotation: LeadRotation): Promise<RotationPick> {
    const list = rotation.userRotationArray ?? [];
    const k = list.length;
    const previousPosition = rotation.currentPosition;
    if (k === 0) return { rotation, user: null, pickedPosition: null, previousPosition, newPosition: previousPosition };
    const start = ((previousPosition % k) + k) % k;
    const eligible = await this.eligibleUsers(em, rotation.accountId, list);
    for (let i = 0; i < k; i++) {
      const idx = (start + i) % k;
      const user = eligible.get(list[idx]);
      if (!user) continue;
      const newPosition = (idx + 1) % k;
      await em.getRepository(LeadRotation).update({ id: rotation.id }, { currentPosition: newPosition });
      rotation.currentPosition = newPosition;
      return { rotation, user, pickedPosition: idx, previousPosition, newPosition };
    }
    return { rotation, user: null, pickedPosition: null, previousPosition, newPosition: previousPosition };
  }
}
