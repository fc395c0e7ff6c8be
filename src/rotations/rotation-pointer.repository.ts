import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared';
import { columnList, entityFromRow } from '../database/rows';
import { LeadRotation } from './entities/lead-rotation.entity';
import { EligibleUser, nextPick, RotationPick } from './rotation-pick';
import { isPostgres } from '../database/dialect';

interface PointerRow extends Record<string, unknown> {
  picked_position: number | null;
  picked_user_id: number | null;
  picked_email: string | null;
  picked_name: string | null;
  new_position: number | null;
}

/** The rotation a new lead goes through: the team's active rotation, else the account's active default. */
const NEW_LEAD_ROTATION = (account: string, team: string) =>
  `account_id = ${account} AND status = 'active' AND (team_id = ${team} OR (team_id IS NULL AND is_default))`;

/**
 * PostgreSQL: `r` locks the rotation row chosen by `where` (and `order`), `pick` finds its first
 * active member from the pointer on (at most one row, the same choice as nextPick), and `moved`
 * moves the pointer just past them. A statement that waited for the lock reads the pointer its
 * predecessor committed (FOR UPDATE re-reads the newest row version), so concurrent callers on any
 * number of instances take consecutive slots.
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
         FROM r, pick WHERE lr.id = r.id AND lr.account_id = r.account_id
         RETURNING lr.current_position
       )`;
}

const advanceStatement = (where: string, order = '') =>
  `WITH ${pointerCtes(where, order)}
   SELECT r.*, pick.idx AS picked_position, pick.user_id AS picked_user_id, pick.email AS picked_email,
          pick.name AS picked_name, (SELECT current_position FROM moved) AS new_position
   FROM r LEFT JOIN pick ON true`;

const PG_ADVANCE_BY_ID = advanceStatement('id = $1 AND account_id = $2');
// The ORDER BY/LIMIT picks one row (the team's first), and FOR UPDATE locks only the row returned.
const PG_ADVANCE_FOR_NEW_LEAD = advanceStatement(NEW_LEAD_ROTATION('$1', '$2'), 'ORDER BY team_id NULLS LAST LIMIT 1');

/**
 * The one place a rotation's pointer moves, for GET /lead-rotations/{id}/next-user and POST /leads
 * alike, so a manual pick and an automatic one never collide: lock the rotation row, pick its next
 * active member from the pointer on, move the pointer past them. It runs inside the caller's
 * transaction. On PostgreSQL an advance is one statement, so the row lock is held only while it
 * runs and the transaction commits; on SQLite the connection lock already serializes transactions.
 */
@Injectable()
export class RotationPointerRepository {
  /** Advances the rotation (any status). Null when it does not exist in the account. */
  async advanceById(em: EntityManager, accountId: number, rotationId: number): Promise<RotationPick | null> {
    if (isPostgres(em)) return pickFromRow(em, (await preparedQuery<PointerRow>(em, PG_ADVANCE_BY_ID, [rotationId, accountId]))[0]);
    const [row] = await em.query(`SELECT ${columnList(em, LeadRotation, 'r')} FROM lead_rotations r WHERE r.id = ? AND r.account_id = ?`, [
      rotationId,
      accountId,
    ]);
    return row ? this.sqliteAdvance(em, entityFromRow(em, LeadRotation, row)) : null;
  }

  /** Advances the rotation a new lead of `teamId` goes through. Null when no rotation applies. */
  async advanceForNewLead(em: EntityManager, accountId: number, teamId: number | null): Promise<RotationPick | null> {
    if (isPostgres(em)) return pickFromRow(em, (await preparedQuery<PointerRow>(em, PG_ADVANCE_FOR_NEW_LEAD, [accountId, teamId]))[0]);
    const [row] = await em.query(
      `SELECT ${columnList(em, LeadRotation, 'r')} FROM lead_rotations r
       WHERE r.account_id = ? AND r.status = 'active' AND (r.team_id = ? OR (r.team_id IS NULL AND r.is_default = 1))
       ORDER BY r.team_id IS NULL LIMIT 1`,
      [accountId, teamId],
    );
    return row ? this.sqliteAdvance(em, entityFromRow(em, LeadRotation, row)) : null;
  }

  /**
   * PostgreSQL: advanceForNewLead as CTEs (`r` the locked rotation, `pick` its pick, `moved` the
   * pointer moved) for a statement that also writes the lead, so no round trip happens while the
   * rotation is locked. `account` and `team` are the statement's parameter markers; with `when`, a
   * condition, nothing is locked or moved unless it holds.
   */
  newLeadAdvanceCtes(account: string, team: string, when?: string): string {
    const where = NEW_LEAD_ROTATION(account, team);
    return pointerCtes(when === undefined ? where : `${where} AND ${when}`, 'ORDER BY team_id NULLS LAST LIMIT 1');
  }

  /** SQLite: the next active member from the pointer on, and the pointer moved past them. */
  private async sqliteAdvance(em: EntityManager, rotation: LeadRotation): Promise<RotationPick> {
    const list = rotation.userRotationArray ?? [];
    const previousPosition = rotation.currentPosition;
    const eligible = await this.activeMembers(em, rotation.accountId, list);
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

  /** SQLite: the emails of `list` that are active users with an active membership of the account. */
  private async activeMembers(em: EntityManager, accountId: number, list: readonly string[]): Promise<Map<string, EligibleUser>> {
    const emails = [...new Set(list)];
    if (!emails.length) return new Map();
    const rows: { id: number; email: string; name: string | null }[] = await em.query(
      `SELECT u.id AS id, u.email AS email, u.name AS name
       FROM users u INNER JOIN memberships m ON m.user_id = u.id AND m.account_id = ?
       WHERE u.active AND m.active AND u.email IN (${emails.map(() => '?').join(', ')})`,
      [accountId, ...emails],
    );
    return new Map(rows.map((r) => [r.email, { id: Number(r.id), email: r.email, name: r.name }]));
  }
}

/** PostgreSQL: the pick of a row of advanceStatement (the rotation as it was, plus the pick). */
function pickFromRow(em: EntityManager, row: PointerRow | undefined): RotationPick | null {
  if (!row) return null;
  const rotation = entityFromRow(em, LeadRotation, row);
  const previousPosition = rotation.currentPosition;
  const newPosition = row.new_position === null ? previousPosition : Number(row.new_position);
  rotation.currentPosition = newPosition;
  if (row.picked_email === null) return { rotation, user: null, pickedPosition: null, previousPosition, newPosition };
  return {
    rotation,
    user: { id: Number(row.picked_user_id), email: row.picked_email, name: row.picked_name },
    pickedPosition: Number(row.picked_position),
    previousPosition,
    newPosition,
  };
}
