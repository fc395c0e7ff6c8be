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
    return (await this.routeNewLeads(em, accountId, teamId, now, 1, lock))[0];
  }

  /**
   * routeNewLead for `count` leads of the same team, in order: each pick sees the state the one before
   * it left. A rotation's last `moved` among the answers is its state after all of them.
   */
  async routeNewLeads(
    em: EntityManager,
    accountId: number,
    teamId: number | null,
    now: Date,
    count: number,
    lock: boolean,
  ): Promise<LeadRouting[]> {
    const candidates: CandidateRotation[] = [];
    const add = async (ref: RotationRef, kind: CandidateRotation['kind']) => {
      const loaded = await this.rotations.load(em, accountId, ref, lock);
      if (loaded) candidates.push({ id: loaded.rotation.id, name: loaded.rotation.name, kind, input: routingInput(loaded, now) });
    };
    if (teamId !== null) await add({ team: teamId }, 'team');
    let defaultTried = teamId === null;
    if (defaultTried) await add({ default: true }, 'default');
    const routings: LeadRouting[] = [];
    for (let i = 0; i < count; i++) {
      let routed = routeLead(candidates);
      if (!routed.moved && !defaultTried) {
        // Only when the team's rotation has nobody eligible: the default is locked as late as possible.
        defaultTried = true;
        await add({ default: true }, 'default');
        routed = routeLead(candidates);
      }
      const moved = routed.moved;
      if (moved) {
        const c = candidates.find((x) => x.id === moved.id)!;
        c.input = { ...c.input, position: moved.position, state: moved.state };
      }
      routings.push(routed);
    }
    return routings;
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

  /** The rotation with each member as GET /lead-rotations/{id} shows them at `now`; null when it does not exist. */
  async withMembers(
    em: EntityManager,
    accountId: number,
    rotationId: number,
    now: Date,
  ): Promise<{ rotation: LeadRotation; members: RotationMemberDto[] } | null> {
    const loaded = await this.rotations.load(em, accountId, { id: rotationId }, false);
    if (!loaded) return null;
    const members = memberViews(routingInput(loaded, now)).map((m) => ({
      email: m.email,
      userId: loaded.members[m.email]?.userId ?? null,
      weight: m.weight,
      dailyCap: m.dailyCap,
      assignedToday: m.assignedToday,
      eligible: m.eligible,
      ineligibleReason: m.ineligibleReason,
    }));
    return { rotation: loaded.rotation, members };
  }
}
