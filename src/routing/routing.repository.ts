import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { dialectOf, param } from '../database/dialect';
import { preparedQuery } from '../database/prepared';
import { columnList, entityFromRow, SqlParams } from '../database/rows';
import { LeadRotation } from '../rotations/entities/lead-rotation.entity';
import type { MemberStatus, RoutingState } from './routing-policy';

/** A member of a rotation as routing sees them: the user behind the email and their standing in the account. */
export interface RoutingMember extends MemberStatus {
  userId: number;
  email: string;
  name: string | null;
}

/** A rotation with what routing needs beside it: its members' standing and the account's time zone. */
export interface RoutingRotation {
  rotation: LeadRotation;
  /** By email: the users of the account named in the rotation. */
  members: Record<string, RoutingMember>;
  timeZone: string;
}

/** Which rotation to load: one by id (any status), or the active rotation of a team, or the account's active default. */
export type RotationRef = { id: number } | { team: number } | { default: true };

type Row = Record<string, unknown> & { __time_zone: string; __members: string | Record<string, unknown>[] };

const WHERE: Record<'id' | 'team' | 'default', string> = {
  id: 'r.account_id = :0 AND r.id = :1',
  team: `r.account_id = :0 AND r.status = 'active' AND r.team_id = :1`,
  default: `r.account_id = :0 AND r.status = 'active' AND r.team_id IS NULL AND r.is_default`,
};

/**
 * The rotation's row (locked on PostgreSQL when asked: the lock that serializes picks), the account's
 * time zone, and the rotation's members as one JSON array, in one query.
 */
function loadText(em: EntityManager, kind: keyof typeof WHERE, lock: boolean): string {
  const dialect = dialectOf(em);
  const where = WHERE[kind].replace(/:(\d)/g, (_, i: string) => param(dialect, Number(i) + 1));
  const members =
    dialect === 'postgres'
      ? `SELECT COALESCE(json_agg(json_build_object('userId', u.id, 'email', u.email, 'name', u.name,
           'active', u.active AND m.active, 'away', m.away, 'awayUntil', m.away_until)), '[]')
         FROM users u JOIN memberships m ON m.user_id = u.id AND m.account_id = r.account_id
         WHERE u.email IN (SELECT jsonb_array_elements_text(r.user_rotation_array))`
      : `SELECT json_group_array(json_object('userId', u.id, 'email', u.email, 'name', u.name,
           'active', u.active AND m.active, 'away', m.away, 'awayUntil', m.away_until))
         FROM users u JOIN memberships m ON m.user_id = u.id AND m.account_id = r.account_id
         WHERE u.email IN (SELECT value FROM json_each(r.user_rotation_array))`;
  return `SELECT ${columnList(em, LeadRotation, 'r')}, a.time_zone AS __time_zone, (${members}) AS __members
    FROM lead_rotations r JOIN accounts a ON a.id = r.account_id
    WHERE ${where}${lock && dialect === 'postgres' ? ' FOR UPDATE OF r' : ''}`;
}

/** A point in time as either database's JSON carries it (PostgreSQL ISO text with offset, SQLite UTC text). */
function jsonTimestamp(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  const text = String(v);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

function membersOf(raw: Row['__members']): Record<string, RoutingMember> {
  const list = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>[];
  const members: Record<string, RoutingMember> = {};
  for (const m of list) {
    const email = String(m.email);
    members[email] = {
      userId: Number(m.userId),
      email,
      name: (m.name as string | null) ?? null,
      active: m.active === true || Number(m.active) === 1,
      away: m.away === true || Number(m.away) === 1,
      awayUntil: jsonTimestamp(m.awayUntil),
    };
  }
  return members;
}

/**
 * Rotations as routing reads and moves them (src/routing/routing.service.ts decides). A pick's
 * state lives in the rotation's own row, so the row lock that serializes picks covers it; on SQLite
 * the connection lock of the transaction does.
 */
@Injectable()
export class RoutingRepository {
  /** The rotation, or null. With `lock`, it stays locked until the caller's transaction ends (PostgreSQL). */
  async load(em: EntityManager, accountId: number, ref: RotationRef, lock: boolean): Promise<RoutingRotation | null> {
    const kind = 'id' in ref ? 'id' : 'team' in ref ? 'team' : 'default';
    const params = 'id' in ref ? [accountId, ref.id] : 'team' in ref ? [accountId, ref.team] : [accountId];
    const [row] = await preparedQuery<Row>(em, loadText(em, kind, lock), params);
    if (!row) return null;
    return { rotation: entityFromRow(em, LeadRotation, row), members: membersOf(row.__members), timeZone: row.__time_zone };
  }

  /** Moves the rotation's pointer and state after a pick. Not an edit of the rotation: updated_at keeps its value. */
  async move(em: EntityManager, accountId: number, moved: RotationMove): Promise<void> {
    const dialect = dialectOf(em);
    const p = (i: number) => param(dialect, i);
    await em.query(
      `UPDATE lead_rotations SET current_position = ${p(1)}, routing_state = ${p(2)}${dialect === 'postgres' ? '::jsonb' : ''}
       WHERE id = ${p(3)} AND account_id = ${p(4)}`,
      [moved.position, JSON.stringify(moved.state), moved.id, accountId],
    );
  }

  /**
   * PostgreSQL: `move` as a CTE (`name`), for the statement that also writes the leads; with `when`,
   * a condition, the rotation moves only if it holds.
   */
  moveCte(p: SqlParams, account: string, moved: RotationMove, name: string, when?: string): string {
    return `${name} AS (UPDATE lead_rotations SET current_position = ${p.add(moved.position)}, routing_state = ${p.add(JSON.stringify(moved.state))}::jsonb
      WHERE id = ${p.add(moved.id)} AND account_id = ${account}${when === undefined ? '' : ` AND ${when}`} RETURNING id)`;
  }
}

/** A rotation's pointer and state after a pick. */
export interface RotationMove {
  id: number;
  position: number;
  state: RoutingState;
}
