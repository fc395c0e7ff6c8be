import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Actor } from '../auth/principal';
import { ApiError, ErrorDetail } from '../common/errors/api-error';
import { validationFailed } from '../common/errors/validation-failed';
import { Page, paginate } from '../common/list/paginate';
import { TransactionService } from '../database/transaction.service';
import { TeamsRepository } from '../teams/teams.repository';
import { AccountMembersService } from '../users/account-members.service';
import { CreateLeadRotationDto, UpdateLeadRotationDto } from './dto/rotation-input.dto';
import { ListLeadRotationsQueryDto } from './dto/list-lead-rotations-query.dto';
import { LeadRotationResponseDto, NextUserResponseDto } from './dto/rotation-response.dto';
import { LeadRotation, RotationStatus } from './entities/lead-rotation.entity';
import { RotationPointerRepository } from './rotation-pointer.repository';
import { toRotationResponse } from './rotation.mapper';
import { ROTATION_LIST_SPEC, RotationsRepository, RotationValues } from './rotations.repository';

/** The account's fallback rotation: named `default` (any case, trimmed) and without a team. */
export function isDefaultRotation(name: string, teamId: number | null): boolean {
  return teamId === null && name.trim().toLowerCase() === 'default';
}

/** Emails as stored: trimmed and lower-cased, order and repetitions kept (a repeated email weights that user). */
export function normalizeEmails(emails: string[]): string[] {
  return emails.map((e) => e.trim().toLowerCase());
}

/** The pointer after the list changed to `length` entries: p % length, or 0 for an empty list. */
export function clampPosition(position: number, length: number): number {
  return length === 0 ? 0 : position % length;
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
    private readonly pointer: RotationPointerRepository,
    private readonly teams: TeamsRepository,
    private readonly accountMembers: AccountMembersService,
  ) {}

  async list(accountId: number, query: ListLeadRotationsQueryDto): Promise<Page<LeadRotationResponseDto>> {
    const statuses: RotationStatus[] = query.status?.length ? [...new Set(query.status)] : ['active'];
    const qb = this.rotations.listQuery(this.tx.manager, accountId, { statuses, teamId: query.teamId, name: query.name });
    return paginate(qb, query, ROTATION_LIST_SPEC, (r) => toRotationResponse(r, r.team ?? null));
  }

  async get(accountId: number, id: number): Promise<LeadRotationResponseDto> {
    const em = this.tx.manager;
    const rotation = await this.rotations.findById(em, accountId, id);
    if (!rotation) throw ApiError.notFound('Lead rotation');
    return this.view(em, accountId, rotation);
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
      const problems = [
        ...(await this.teamProblems(em, accountId, teamId)),
        ...(await this.emailProblems(em, accountId, emails)),
        ...positionProblems(currentPosition, emails.length),
      ];
      if (problems.length) throw validationFailed(problems);
      const rotation = await this.rotations.insert(em, accountId, {
        name: dto.name,
        isDefault: isDefaultRotation(dto.name, teamId),
        status: dto.status ?? 'active',
        teamId,
        userRotationArray: emails,
        currentPosition,
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
      if (dto.name === undefined && dto.teamId === undefined && dto.userRotationArray === undefined && dto.currentPosition === undefined) {
        return this.view(em, accountId, rotation);
      }
      const name = dto.name ?? rotation.name;
      const teamId = dto.teamId !== undefined ? dto.teamId : rotation.teamId;
      const emails = dto.userRotationArray !== undefined ? normalizeEmails(dto.userRotationArray) : rotation.userRotationArray;
      const currentPosition =
        dto.currentPosition ??
        (dto.userRotationArray !== undefined ? clampPosition(rotation.currentPosition, emails.length) : rotation.currentPosition);
      const problems = [
        ...(dto.teamId !== undefined ? await this.teamProblems(em, accountId, teamId) : []),
        ...(dto.userRotationArray !== undefined ? await this.emailProblems(em, accountId, emails) : []),
        ...(dto.currentPosition !== undefined ? positionProblems(currentPosition, emails.length) : []),
      ];
      if (problems.length) throw validationFailed(problems);
      const values: Partial<RotationValues> = {
        name,
        teamId,
        isDefault: isDefaultRotation(name, teamId),
        userRotationArray: emails,
        currentPosition,
        updatedBy: actor.email,
      };
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

  /** Picks the next eligible user of the rotation (whatever its status) and advances the pointer. */
  nextUser(accountId: number, id: number): Promise<NextUserResponseDto> {
    return this.tx.run(async (em) => {
      const pick = await this.pointer.advanceById(em, accountId, id);
      if (!pick) throw ApiError.notFound('Lead rotation');
      const list = pick.rotation.userRotationArray ?? [];
      return {
        user: pick.user ? { id: pick.user.id, email: pick.user.email, name: pick.user.name } : null,
        rotationId: pick.rotation.id,
        currentPosition: pick.pickedPosition ?? pick.previousPosition,
        newPosition: pick.newPosition,
        totalUsers: list.length,
        currentUser: pick.user?.email ?? null,
        nextUser: list[pick.newPosition] ?? null,
        rotation: await this.view(em, accountId, pick.rotation),
      };
    });
  }

  private async view(em: EntityManager, accountId: number, rotation: LeadRotation): Promise<LeadRotationResponseDto> {
    const team = rotation.teamId !== null ? (await this.teams.summaries(em, accountId, [rotation.teamId])).get(rotation.teamId) : undefined;
    return toRotationResponse(rotation, team ?? null);
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
