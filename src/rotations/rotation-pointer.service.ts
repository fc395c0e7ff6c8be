import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { columnList, entityFromRow } from '../database/rows';
import { AccountMembersService } from '../users/account-members.service';
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

/**
 * PostgreSQL: `r` locks the rotation row chosen by `where` (and `order`), `pick` finds its first
 * active member from the pointer on (walking the list once; at most one row), and `moved` moves the
 * pointer just past them. Under READ COMMITTED a statement that waited for the lock reads the
 * pointer its predecessor committed (FOR UPDATE re-reads the newest row version), so concurrent
 * callers on any number of instances take consecutive slots.
 */
function pointerCtes(where: string, order = ''): string {
  return `r AS (
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
       )`;
}

/** What a rotation pick adds to the `lead_created` entry's data (the same on both databases). */
export function assignmentData(pick: { rotationId: number; email: string | null; position: number | null }): {
  assignedTo: string | null;
  assignment: Record<string, unknown>;
} {
  return {
    assignedTo: pick.email,
    assignment: { method: pick.email ? 'rotation' : 'none', rotationId: pick.rotationId, position: pick.position },
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
 * pointer on, move the pointer), and for POST /leads that statement is the one that also inserts
 * the lead and its entry: the lock is held only while it runs and commits, which bounds the
 * throughput of creates through one rotation. On SQLite it is three statements (lock-free: the
 * connection is already exclusive).
 */
@Injectable()
export class RotationPointerService {
  constructor(private readonly members: AccountMembersService) {}

  /** Locks the rotation (any status) and advances it. Null when it does not exist in the account. */
  async advanceById(em: EntityManager, accountId: number, rotationId: number): Promise<RotationPick | null> {
    if (isPostgres(em)) return this.advanceInOneStatement(em, 'id = $1 AND account_id = $2', [rotationId, accountId]);
    // SQLite: no row lock needed, the connection is already exclusive for the transaction.
    const [row] = await em.query(`SELECT ${columnList(em, LeadRotation, 'r')} FROM lead_rotations r WHERE r.id = ? AND r.account_id = ?`, [
      rotationId,
      accountId,
    ]);
    return row ? this.advance(em, entityFromRow(em, LeadRotation, row)) : null;
  }

  /**
   * PostgreSQL: the CTEs `r` (the rotation a new lead goes through: the team's active rotation, else
   * the account's active default; locked), `pick` (its next active member, at most one row) and
   * `moved` (the pointer moved past them), for the statement that inserts the lead (see
   * LeadsRepository.insertCreated). `account` and `team` are placeholders; the team's may hold -1
   * for "no team". The lock is taken by that statement and released by its commit: no round trip
   * to the service happens while it is held. With `condition` (an SQL boolean), no rotation is
   * chosen, locked or moved unless it holds.
   */
  leadRotationCtes(account: string, team: string, condition = 'true'): string {
    // The ORDER BY/LIMIT picks one row (the team's first), and FOR UPDATE locks only the row returned.
    return pointerCtes(
      `account_id = ${account} AND status = 'active' AND (team_id = ${team} OR (team_id IS NULL AND is_default)) AND ${condition}`,
      'ORDER BY team_id NULLS LAST LIMIT 1',
    );
  }

  /**
   * SQLite: picks the rotation a new lead goes through (the team's active rotation, else the
   * account's active default) and advances it; the caller then inserts the lead with the pick, in
   * the same transaction. Null when no rotation applies. (PostgreSQL does all of it in the statement
   * that inserts the lead, with leadRotationCtes.)
   */
  async advanceForNewLead(em: EntityManager, accountId: number, teamId: number | null): Promise<RotationPick | null> {
    // One fixed query (a prepared statement in better-sqlite3's cache): the team's rotation sorts first.
    const [row] = await em.query(
      `SELECT ${columnList(em, LeadRotation, 'r')} FROM lead_rotations r
       WHERE r.account_id = ? AND r.status = 'active' AND (r.team_id = ? OR (r.team_id IS NULL AND r.is_default = 1))
       ORDER BY r.team_id IS NULL LIMIT 1`,
      [accountId, teamId],
    );
    return row ? this.advance(em, entityFromRow(em, LeadRotation, row)) : null;
  }

  /** PostgreSQL: one statement (pointerCtes) advances the rotation chosen by `where` and returns the row as it was, with the pick. */
  private async advanceInOneStatement(em: EntityManager, where: string, params: unknown[]): Promise<RotationPick | null> {
    const rows = (await em.query(
      `WITH ${pointerCtes(where)}
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

  /** SQLite (PostgreSQL advances in one statement): the next eligible member from the pointer on, and the pointer moved past them. */
  private async advance(em: EntityManager, rotation: LeadRotation): Promise<RotationPick> {
    const list = rotation.userRotationArray ?? [];
    const previousPosition = rotation.currentPosition;
    const members = await this.members.byEmails(em, rotation.accountId, list);
    const eligible = new Map([...members].filter(([, m]) => m.active).map(([email, m]) => [email, { id: m.id, email: m.email, name: m.name }]));
    const pick = nextPick(list, previousPosition, (email) => eligible.has(email));
    if (!pick) return { rotation, user: null, pickedPosition: null, previousPosition, newPosition: previousPosition };
    if (pick.newPosition !== previousPosition) {
      // Moving the pointer is not an edit of the rotation: updated_at keeps its value.
      await em.query('UPDATE lead_rotations SET current_position = ? WHERE id = ? AND account_id = ?', [
        pick.newPosition,
        rotation.id,
        rotation.accountId,
      ]);
      rotation.currentPosition = pick.newPosition;
    }
    return { rotation, user: eligible.get(list[pick.pickedPosition])!, ...pick, previousPosition };
  }
}
