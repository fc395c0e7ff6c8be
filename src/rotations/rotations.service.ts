import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Actor } from '../auth/principal';
import { ApiError, ErrorDetail } from '../common/errors/api-error';
import { validationFailed } from '../common/errors/validation-failed';
import { Page, paginate } from '../common/list/paginate';
import { TransactionService } from '../database/transaction.service';
import { RoutingState } from '../routing/routing-policy';
import { RoutingService } from '../routing/routing.service';
import { TeamsRepository } from '../teams/teams.repository';
import { AccountMembersService } from '../users/account-members.service';
import { CreateLeadRotationDto, UpdateLeadRotationDto } from './dto/rotation-input.dto';
import { ListLeadRotationsQueryDto } from './dto/list-lead-rotations-query.dto';
import { LeadRotationResponseDto, NextUserResponseDto, RotationMemberDto } from './dto/rotation-response.dto';
import { LeadRotation, RotationStatus } from './entities/lead-rotation.entity';
import { toRotationResponse } from './rotation.mapper';
import { ROTATION_LIST_SPEC, RotationsRepository, RotationValues } from './rotations.repository';
import { normalizeEmail } from '../common/email';

/** The account's fallback rotation: named `default` (any case, trimmed) and without a team. */
export function isDefaultRotation(name: string, teamId: number | null): boolean {
  return teamId === null && name.trim().toLowerCase() === 'default';
}

/** Emails as stored: trimmed and lower-cased, order and repetitions kept (a repeated email weights that user). */
export function normalizeEmails(emails: string[]): string[] {
  return emails.map((e) => normalizeEmail(e));
}

/** The pointer after the list changed to `length` entries: p % length, or 0 for an empty list. */
export function clampPosition(position: number, length: number): number {
  return length === 0 ? 0 : position % length;
}

/** A map by member email with its keys lower-cased, as stored. */
export function normalizeMap(map: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(map).map(([email, n]) => [normalizeEmail(email), n]));
}

/** Problems with a map by member email: every key must be one of the rotation's emails. */
export function memberMapProblems(field: 'weights' | 'dailyCaps', map: Record<string, number>, emails: string[]): ErrorDetail[] {
  const members = new Set(emails);
  return Object.keys(map)
    .filter((email) => !members.has(email))
    .map((email) => ({ field: `${field}.${email}`, message: `${email} is not in userRotationArray` }));
}

/** The map without the emails that left the rotation. */
function keptFor(map: Record<string, number>, emails: string[]): Record<string, number> {
  const members = new Set(emails);
  return Object.fromEntries(Object.entries(map).filter(([email]) => members.has(email)));
}

/** An edit of the order, weights or caps starts a new weighted cycle; the day's counts stay (a cap is per day, not per edit). */
function afterEdit(state: RoutingState | null): RoutingState | null {
  return state && { ...state, cycle: null };
}

/** Problems with a requested pointer: it must index the list (0 ≤ p < length), or be 0 for an empty list. */
export function positionProblems(position: number, length: number): ErrorDetail[] {
  if (length === 0 ? position === 0 : position < length) return [];
  const message =
    length === 0
      ? 'currentPosition must be 0 when userRotationArray is empty'
      : `currentPosition must be between 0 and ${length - 1} (userRotationArray has ${length} entr${length === 1 ? 'y' : 'ies'})`;
  return [{ field: 'currentPosition', message }];
}

@Injectable()
export class RotationsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly rotations: RotationsRepository,
    private readonly routing: RoutingService,
    private readonly teams: TeamsRepository,
    private readonly accountMembers: AccountMembersService,
  ) {}

  async list(accountId: number, query: ListLeadRotationsQueryDto): Promise<Page<LeadRotationResponseDto>> {
    const statuses: RotationStatus[] = query.status?.length ? [...new Set(query.status)] : ['active'];
    const qb = this.rotations.listQuery(this.tx.manager, accountId, { statuses, teamId: query.teamId, name: query.name });
    return paginate(qb, query, ROTATION_LIST_SPEC, (r) => toRotationResponse(r, r.team ?? null));
  }

  /** The rotation with each member's standing now (`members`). */
  async get(accountId: number, id: number): Promise<LeadRotationResponseDto> {
    const em = this.tx.manager;
    const found = await this.routing.withMembers(em, accountId, id, new Date());
    if (!found) throw ApiError.notFound('Lead rotation');
    return this.view(em, accountId, found.rotation, found.members);
  }

  /**
   * A second active rotation for a team, or a second active default, fails on the partial unique
   * indexes (409 from the exception filter); no SELECT beforehand, which could race.
   */
  create(accountId: number, actor: Actor, dto: CreateLeadRotationDto): Promise<LeadRotationResponseDto> {
    return this.tx.run(async (em) => {
      const teamId = dto.teamId ?? null;
      const emails = normalizeEmails(dto.userRotationArray ?? []);
      const currentPosition = dto.currentPosition ?? 0;
      const weights = normalizeMap(dto.weights ?? {});
      const dailyCaps = normalizeMap(dto.dailyCaps ?? {});
      const problems = [
        ...(await this.teamProblems(em, accountId, teamId)),
        ...(await this.emailProblems(em, accountId, emails)),
        ...positionProblems(currentPosition, emails.length),
        ...memberMapProblems('weights', weights, emails),
        ...memberMapProblems('dailyCaps', dailyCaps, emails),
      ];
      if (problems.length) throw validationFailed(problems);
      const rotation = await this.rotations.insert(em, accountId, {
        name: dto.name,
        isDefault: isDefaultRotation(dto.name, teamId),
        status: dto.status ?? 'active',
        teamId,
        userRotationArray: emails,
        currentPosition,
        weights,
        dailyCaps,
        routingState: null,
        createdBy: actor.email,
        updatedBy: actor.email,
      });
      return this.view(em, accountId, rotation);
    });
  }

  /**
   * Locks the row so a concurrent pick (next-user, POST /leads) cannot move the pointer between the
   * read and the write. A new list without a new currentPosition keeps the pointer modulo the new
   * length. An empty body changes nothing.
   */
  update(accountId: number, actor: Actor, id: number, dto: UpdateLeadRotationDto): Promise<LeadRotationResponseDto> {
    return this.tx.run(async (em) => {
      const rotation = await this.rotations.findById(em, accountId, id, { lock: true });
      if (!rotation) throw ApiError.notFound('Lead rotation');
      const routingEdit =
        dto.userRotationArray !== undefined ||
        dto.currentPosition !== undefined ||
        dto.weights !== undefined ||
        dto.dailyCaps !== undefined;
      if (dto.name === undefined && dto.teamId === undefined && !routingEdit) return this.view(em, accountId, rotation);
      const name = dto.name ?? rotation.name;
      const teamId = dto.teamId !== undefined ? dto.teamId : rotation.teamId;
      const emails = dto.userRotationArray !== undefined ? normalizeEmails(dto.userRotationArray) : rotation.userRotationArray;
      const currentPosition =
        dto.currentPosition ??
        (dto.userRotationArray !== undefined ? clampPosition(rotation.currentPosition, emails.length) : rotation.currentPosition);
      // Given maps replace the stored ones; a new list alone drops the entries of emails that left it.
      const weights = dto.weights !== undefined ? normalizeMap(dto.weights) : keptFor(rotation.weights ?? {}, emails);
      const dailyCaps = dto.dailyCaps !== undefined ? normalizeMap(dto.dailyCaps) : keptFor(rotation.dailyCaps ?? {}, emails);
      const problems = [
        ...(dto.teamId !== undefined ? await this.teamProblems(em, accountId, teamId) : []),
        ...(dto.userRotationArray !== undefined ? await this.emailProblems(em, accountId, emails) : []),
        ...(dto.currentPosition !== undefined ? positionProblems(currentPosition, emails.length) : []),
        ...memberMapProblems('weights', weights, emails),
        ...memberMapProblems('dailyCaps', dailyCaps, emails),
      ];
      if (problems.length) throw validationFailed(problems);
      const values: Partial<RotationValues> = {
        name,
        teamId,
        isDefault: isDefaultRotation(name, teamId),
        userRotationArray: emails,
        currentPosition,
        weights,
        dailyCaps,
        updatedBy: actor.email,
      };
      if (routingEdit) values.routingState = afterEdit(rotation.routingState);
      await this.rotations.update(em, accountId, id, values);
      return this.view(em, accountId, (await this.rotations.findById(em, accountId, id))!);
    });
  }

  /** Setting the current status again changes nothing; activating a second active rotation is a 409 from the unique indexes. */
  changeStatus(accountId: number, actor: Actor, id: number, status: RotationStatus): Promise<LeadRotationResponseDto> {
    return this.tx.run(async (em) => {
      const rotation = await this.rotations.findById(em, accountId, id, { lock: true });
      if (!rotation) throw ApiError.notFound('Lead rotation');
      if (rotation.status === status) return this.view(em, accountId, rotation);
      await this.rotations.update(em, accountId, id, { status, updatedBy: actor.email });
      return this.view(em, accountId, (await this.rotations.findById(em, accountId, id))!);
    });
  }

  remove(accountId: number, id: number): Promise<LeadRotationResponseDto> {
    return this.tx.run(async (em) => {
      const rotation = await this.rotations.findById(em, accountId, id, { lock: true });
      if (!rotation) throw ApiError.notFound('Lead rotation');
      const deleted = await this.view(em, accountId, rotation);
      await this.rotations.delete(em, accountId, id);
      return deleted;
    });
  }

  /**
   * Picks from the rotation (whatever its status) exactly as a new lead would, and moves it: the
   * pick counts toward the member's weight and daily cap.
   */
  nextUser(accountId: number, id: number): Promise<NextUserResponseDto> {
    return this.tx.run(async (em) => {
      const pick = await this.routing.pick(em, accountId, id, new Date());
      if (!pick) throw ApiError.notFound('Lead rotation');
      const { rotation, decision, user } = pick;
      return {
        user: user ? { id: user.userId, email: user.email, name: user.name } : null,
        rotationId: rotation.id,
        currentPosition: decision.picked?.index ?? rotation.currentPosition,
        newPosition: decision.position,
        totalUsers: (rotation.userRotationArray ?? []).length,
        currentUser: decision.picked?.email ?? null,
        // As §4 has it: the email the pointer now stands at (whom a pick gives depends on weights and standing).
        nextUser: (rotation.userRotationArray ?? [])[decision.position] ?? null,
        rotation: await this.view(em, accountId, rotation),
      };
    });
  }

  private async view(
    em: EntityManager,
    accountId: number,
    rotation: LeadRotation,
    members?: RotationMemberDto[],
  ): Promise<LeadRotationResponseDto> {
    const team = rotation.teamId !== null ? (await this.teams.summaries(em, accountId, [rotation.teamId])).get(rotation.teamId) : undefined;
    return toRotationResponse(rotation, team ?? null, members);
  }

  private async teamProblems(em: EntityManager, accountId: number, teamId: number | null): Promise<ErrorDetail[]> {
    if (teamId === null || (await this.teams.existsInAccount(em, accountId, teamId))) return [];
    return [{ field: 'teamId', message: `team ${teamId} is not a team of this account` }];
  }

  /** Every email must be a user of the account (active or not: inactive ones are skipped at pick time). */
  private async emailProblems(em: EntityManager, accountId: number, emails: string[]): Promise<ErrorDetail[]> {
    const known = await this.accountMembers.byEmails(em, accountId, emails);
    const problems: ErrorDetail[] = [];
    emails.forEach((email, i) => {
      if (!known.has(email)) problems.push({ field: `userRotationArray.${i}`, message: `${email} is not a user of this account` });
    });
    return problems;
  }
}
