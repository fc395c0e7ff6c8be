import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { forUpdate } from '../database/locking';
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
 * Where the pointer goes: starting at `position`, the first entry of `list` that is eligible is
 * picked and the pointer moves just past it. Entries that are not eligible are skipped (they keep
 * their place in the list and are picked again once eligible). Pure, so the rule is tested alone.
 */
export function nextPick(
  list: readonly string[],
  position: number,
  isEligible: (email: string) => boolean,
): { pickedPosition: number; newPosition: number } | null {
  const k = list.length;
  if (k === 0) return null;
  const start = ((position % k) + k) % k;
  for (let i = 0; i < k; i++) {
    const idx = (start + i) % k;
    if (isEligible(list[idx])) return { pickedPosition: idx, newPosition: (idx + 1) % k };
  }
  return null;
}

/**
 * The one piece of code that moves a rotation's pointer, shared by GET /lead-rotations/{id}/next-user
 * and POST /leads so a manual pick and an automatic one never collide. It must run inside the
 * caller's transaction: on PostgreSQL the rotation row is locked (SELECT … FOR UPDATE) until that
 * transaction commits, so concurrent callers on any number of instances take consecutive slots (a
 * waiting caller reads the committed pointer of the previous one under READ COMMITTED); on SQLite
 * the connection lock already serializes transactions.
 *
 * Three statements per advance: lock the row, read which of its users are active members, write
 * the pointer. Keeping the caller's remaining work after the advance short keeps the lock short.
 */
@Injectable()
export class RotationPointerService {
  /** Locks the rotation (any status) and advances it. Null when it does not exist in the account. */
  async advanceById(em: EntityManager, accountId: number, rotationId: number): Promise<RotationPick | null> {
    const rotation = await this.lockOne(
      this.rotations(em).where('r.id = :rotationId AND r.account_id = :accountId', { rotationId, accountId }),
    );
    return rotation ? this.advance(em, rotation) : null;
  }

  /**
   * Picks the rotation a new lead goes through (the team's active rotation, else the account's
   * active default) and advances it. Null when no rotation applies.
   */
  async advanceForLead(em: EntityManager, accountId: number, teamId: number | null): Promise<RotationPick | null> {
    let rotation: LeadRotation | null = null;
    if (teamId !== null) {
      rotation = await this.lockOne(
        this.rotations(em).where(`r.account_id = :accountId AND r.team_id = :teamId AND r.status = 'active'`, {
          accountId,
          teamId,
        }),
      );
    }
    rotation ??= await this.lockOne(
      this.rotations(em).where(`r.account_id = :accountId AND r.team_id IS NULL AND r.is_default = :yes AND r.status = 'active'`, {
        accountId,
        yes: true,
      }),
    );
    return rotation ? this.advance(em, rotation) : null;
  }

  /** Active members of the account among `emails` (user active and membership active), keyed by email. */
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

  private rotations(em: EntityManager): SelectQueryBuilder<LeadRotation> {
    return em.getRepository(LeadRotation).createQueryBuilder('r');
  }

  private lockOne(qb: SelectQueryBuilder<LeadRotation>): Promise<LeadRotation | null> {
    return forUpdate(qb).getOne();
  }

  private async advance(em: EntityManager, rotation: LeadRotation): Promise<RotationPick> {
    const list = rotation.userRotationArray ?? [];
    const previousPosition = rotation.currentPosition;
    const eligible = await this.eligibleUsers(em, rotation.accountId, list);
    const pick = nextPick(list, previousPosition, (email) => eligible.has(email));
    if (!pick) return { rotation, user: null, pickedPosition: null, previousPosition, newPosition: previousPosition };
    if (pick.newPosition !== previousPosition) {
      await em
        .createQueryBuilder()
        .update(LeadRotation)
        // Moving the pointer is not an edit of the rotation: updated_at keeps its value.
        .set({ currentPosition: pick.newPosition, updatedAt: () => 'updated_at' })
        .where('id = :id AND account_id = :accountId', { id: rotation.id, accountId: rotation.accountId })
        .execute();
      rotation.currentPosition = pick.newPosition;
    }
    return { rotation, user: eligible.get(list[pick.pickedPosition])!, ...pick, previousPosition };
  }
}
