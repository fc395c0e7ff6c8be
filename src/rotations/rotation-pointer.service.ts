import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { forUpdate } from '../database/locking';
import { AccountMembersService } from '../users/account-members.service';
import { Lead } from '../leads/entities/lead.entity';
import { LeadRotation } from './entities/lead-rotation.entity';

interface PointerRow {
  id: number;
  account_id: number;
  name: string;
  is_default: boolean;
  status: LeadRotation['status'];
  team_id: number | null;
  user_rotation_array: string[];
  current_position: number;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
  picked_position: number | null;
  picked_user_id: number | null;
  picked_email: string | null;
  picked_name: string | null;
  new_position: number | null;
}

const isPostgres = (em: EntityManager) => em.connection.options.type === 'postgres';

/** A lead inserted by the caller's transaction, with its `lead_created` entry, waiting for its rep. */
export interface LeadToAssign {
  leadId: number;
  entryId: number;
}

/** What a rotation pick adds to the `lead_created` entry's data (the same on both databases). */
export function assignmentData(pick: RotationPick): { assignedTo: string | null; assignment: Record<string, unknown> } {
  return {
    assignedTo: pick.user?.email ?? null,
    assignment: { method: pick.user ? 'rotation' : 'none', rotationId: pick.rotation.id, position: pick.pickedPosition },
  };
}

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
 * On PostgreSQL an advance is ONE statement (lock the row, pick the first eligible user from the
 * pointer on, move the pointer): the lock is taken as late as possible and held only for what the
 * caller does after it, which bounds the throughput of creates through one rotation. On SQLite it
 * is three statements (lock-free: the connection is already exclusive).
 */
@Injectable()
export class RotationPointerService {
  constructor(private readonly members: AccountMembersService) {}

  /** Locks the rotation (any status) and advances it. Null when it does not exist in the account. */
  async advanceById(em: EntityManager, accountId: number, rotationId: number): Promise<RotationPick | null> {
    if (isPostgres(em)) return this.advanceInOneStatement(em, 'id = $1 AND account_id = $2', [rotationId, accountId]);
    const rotation = await this.lockOne(
      this.rotations(em).where('r.id = :rotationId AND r.account_id = :accountId', { rotationId, accountId }),
    );
    return rotation ? this.advance(em, rotation) : null;
  }

  /**
   * Picks the rotation a new lead goes through (the team's active rotation, else the account's
   * active default), advances it, and writes the pick into the lead and its `lead_created` entry
   * (`assignedTo`, and `assignment` in the entry's data), both already inserted by the caller's
   * transaction. Null when no rotation applies. On PostgreSQL all of it is the one statement that
   * takes the rotation's lock, so only the commit remains while it is held.
   */
  async assignLead(em: EntityManager, accountId: number, teamId: number | null, lead: LeadToAssign): Promise<RotationPick | null> {
    if (isPostgres(em)) {
      // The team's active rotation first, else the active default: the ORDER BY/LIMIT picks one row,
      // and FOR UPDATE locks only the row returned.
      return this.advanceInOneStatement(
        em,
        `account_id = $1 AND status = 'active' AND (team_id = $2 OR (team_id IS NULL AND is_default))`,
        [accountId, teamId ?? -1, lead.leadId, lead.entryId],
        'ORDER BY team_id NULLS LAST LIMIT 1',
        `, assigned AS (
           UPDATE leads SET assigned_to = pick.email FROM pick WHERE leads.id = $3 AND leads.account_id = $1
           RETURNING leads.id
         ), entry AS (
           UPDATE audit_logs a SET data = jsonb_set(jsonb_set(a.data, '{assignedTo}', to_jsonb(pick.email)), '{assignment}',
             jsonb_build_object('method', CASE WHEN pick.email IS NULL THEN 'none' ELSE 'rotation' END, 'rotationId', r.id, 'position', pick.idx))
           FROM r LEFT JOIN pick ON true WHERE a.id = $4 AND a.account_id = $1
           RETURNING a.id
         )`,
      );
    }
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
    if (!rotation) return null;
    const pick = await this.advance(em, rotation);
    if (pick.user) {
      await em
        .createQueryBuilder()
        .update(Lead)
        // Part of the creation: updated_at keeps the creation time.
        .set({ assignedTo: pick.user.email, updatedAt: () => 'updated_at' })
        .where('id = :id AND account_id = :accountId', { id: lead.leadId, accountId })
        .execute();
    }
    const { assignedTo, assignment } = assignmentData(pick);
    await em.query(`UPDATE audit_logs SET data = json_set(data, '$.assignedTo', ?, '$.assignment', json(?)) WHERE id = ? AND account_id = ?`, [
      assignedTo,
      JSON.stringify(assignment),
      lead.entryId,
      accountId,
    ]);
    return pick;
  }

  /**
   * PostgreSQL: one statement locks the rotation chosen by `where`, finds the first active member
   * from the pointer on (walking the list once), moves the pointer past them, and returns the row
   * as it was with the pick. Under READ COMMITTED a caller that waited for the lock reads the
   * pointer its predecessor committed (FOR UPDATE re-reads the newest row version).
   */
  private async advanceInOneStatement(
    em: EntityManager,
    where: string,
    params: unknown[],
    order = '',
    alsoWrite = '',
  ): Promise<RotationPick | null> {
    const rows = (await em.query(
      `WITH r AS (
         SELECT * FROM lead_rotations WHERE ${where} ${order} FOR UPDATE
       ), pick AS (
         SELECT (r.current_position + s.i) % jsonb_array_length(r.user_rotation_array) AS idx, u.id AS user_id, u.email, u.name
         FROM r
         CROSS JOIN generate_series(0, jsonb_array_length(r.user_rotation_array) - 1) AS s(i)
         JOIN users u ON u.email = r.user_rotation_array ->> ((r.current_position + s.i) % jsonb_array_length(r.user_rotation_array))
         JOIN memberships m ON m.user_id = u.id AND m.account_id = r.account_id
         WHERE u.active AND m.active
         ORDER BY s.i
         LIMIT 1
       ), moved AS (
         UPDATE lead_rotations lr SET current_position = (pick.idx + 1) % jsonb_array_length(r.user_rotation_array)
         FROM r, pick WHERE lr.id = r.id
         RETURNING lr.current_position
       )${alsoWrite}
       SELECT r.*, pick.idx AS picked_position, pick.user_id AS picked_user_id, pick.email AS picked_email,
              pick.name AS picked_name, (SELECT current_position FROM moved) AS new_position
       FROM r LEFT JOIN pick ON true`,
      params,
    )) as PointerRow[];
    const row = rows[0];
    if (!row) return null;
    const previousPosition = Number(row.current_position);
    const newPosition = row.new_position === null ? previousPosition : Number(row.new_position);
    const rotation = Object.assign(new LeadRotation(), {
      id: Number(row.id),
      accountId: Number(row.account_id),
      name: row.name,
      isDefault: row.is_default,
      status: row.status,
      teamId: row.team_id === null ? null : Number(row.team_id),
      userRotationArray: row.user_rotation_array,
      currentPosition: newPosition,
      createdBy: row.created_by,
      updatedBy: row.updated_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
    if (row.picked_email === null) return { rotation, user: null, pickedPosition: null, previousPosition, newPosition };
    return {
      rotation,
      user: { id: Number(row.picked_user_id), email: row.picked_email, name: row.picked_name },
      pickedPosition: Number(row.picked_position),
      previousPosition,
      newPosition,
    };
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
    const members = await this.members.byEmails(em, rotation.accountId, list);
    const eligible = new Map([...members].filter(([, m]) => m.active).map(([email, m]) => [email, { id: m.id, email: m.email, name: m.name }]));
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
