import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { RotationMemberDto } from '../rotations/dto/rotation-response.dto';
import { LeadRotation } from '../rotations/entities/lead-rotation.entity';
import { CandidateRotation, LeadRouting, localDay, memberViews, route, routeLead, RoutingDecision, RoutingInput } from './routing-policy';
import { RotationRef, RoutingMember, RoutingRepository, RoutingRotation } from './routing.repository';

/** What the policy is given for a loaded rotation at `now`. */
function routingInput(loaded: RoutingRotation, now: Date): RoutingInput {
  const r = loaded.rotation;
  return {
    emails: r.userRotationArray ?? [],
    position: r.currentPosition,
    weights: r.weights ?? {},
    dailyCaps: r.dailyCaps ?? {},
    state: r.routingState ?? null,
    members: loaded.members,
    today: localDay(now, loaded.timeZone),
    now,
  };
}

/** A manual pick of GET /lead-rotations/{id}/next-user. */
export interface RotationPick {
  rotation: LeadRotation;
  decision: RoutingDecision;
  user: RoutingMember | null;
}

/**
 * Routing (contract §7): loads rotations through RoutingRepository and lets the policy of
 * routing-policy.ts decide. Every pick of a rotation, a new lead's or a manual one, goes through
 * here under the rotation's lock, so the weighted order and the caps hold across instances.
 */
@Injectable()
export class RoutingService {
  constructor(private readonly rotations: RoutingRepository) {}

  /**
   * Routes a new lead of `teamId`: the team's active rotation, then the account's active default.
   * With `lock` the rotations tried stay locked until the caller's transaction ends (the team's
   * before the default's, always in that order); the caller then writes `moved` with the lead.
   * Without it (a preview) nothing is locked and nothing is written.
   */
  async routeNewLead(em: EntityManager, accountId: number, teamId: number | null, now: Date, lock: boolean): Promise<LeadRouting> {
    const candidates: CandidateRotation[] = [];
    const tried = async (ref: RotationRef, kind: CandidateRotation['kind']) => {
      const loaded = await this.rotations.load(em, accountId, ref, lock);
      if (loaded) candidates.push({ id: loaded.rotation.id, name: loaded.rotation.name, kind, input: routingInput(loaded, now) });
      return routeLead(candidates);
    };
    if (teamId !== null) {
      const routed = await tried({ team: teamId }, 'team');
      if (routed.moved) return routed;
    }
    return tried({ default: true }, 'default');
  }

  /** GET /lead-rotations/{id}/next-user: picks from the rotation (any status) as a new lead would, and moves it. Null when it does not exist. */
  async pick(em: EntityManager, accountId: number, rotationId: number, now: Date): Promise<RotationPick | null> {
    const loaded = await this.rotations.load(em, accountId, { id: rotationId }, true);
    if (!loaded) return null;
    const input = routingInput(loaded, now);
    const decision = route(input);
    const rotation = loaded.rotation;
    if (decision.picked) {
      await this.rotations.move(em, accountId, { id: rotation.id, position: decision.position, state: decision.state });
      rotation.currentPosition = decision.position;
      rotation.routingState = decision.state;
    }
    return { rotation, decision, user: decision.picked ? (loaded.members[decision.picked.email] ?? null) : null };
  }

  /** Each member of the rotation as GET /lead-rotations/{id} shows them at `now`. */
  async members(em: EntityManager, accountId: number, rotationId: number, now: Date): Promise<RotationMemberDto[] | null> {
    const loaded = await this.rotations.load(em, accountId, { id: rotationId }, false);
    if (!loaded) return null;
    return memberViews(routingInput(loaded, now)).map((m) => ({ ...m, userId: loaded.members[m.email]?.userId ?? null }));
  }
}
