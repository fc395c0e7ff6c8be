import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Account } from '../accounts/entities/account.entity';
import { parseDateRange } from '../common/list/paginate';
import { timestampParam } from '../database/column-types';
import { LeadSource } from '../lead-sources/entities/lead-source.entity';
import { Team } from '../teams/entities/team.entity';
import { LEAD_INT_FILTERS, LEAD_TEXT_FILTERS, ListLeadsQuery, NULL_FILTER } from './dto/lead-query.dto';
import { Lead } from './entities/lead.entity';

/** What the team/source rules of a lead need to know, gathered in one query. */
export interface TeamSourceFacts {
  /** The account has at least one active team (only when asked). */
  hasActiveTeams: boolean;
  /** The given team exists in the account. */
  teamExists: boolean;
  /** The given team has at least one active lead source (only when asked). */
  teamHasSources: boolean;
  /** The given lead source exists in the account. */
  sourceExists: boolean;
  /** The team of the given lead source (null when it has none). */
  sourceTeamId: number | null;
}

export interface TeamSourceQuestion {
  activeTeams: boolean;
  teamId: number | null;
  teamSources: boolean;
  leadSourceId: number | null;
}

export type LeadValues = QueryDeepPartialEntity<Lead>;

/** API field → column, for filters and sorting. */
export const LEAD_COLUMNS: Record<string, string> = {
  id: 'id',
  teamId: 'team_id',
  leadSourceId: 'lead_source_id',
  applicationId: 'application_id',
  firstName: 'first_name',
  lastName: 'last_name',
  imgSrc: 'img_src',
  email: 'email',
  phone: 'phone',
  company: 'company',
  jobTitle: 'job_title',
  branch: 'branch',
  source: 'source',
  position: 'position',
  location: 'location',
  productsServicesSold: 'products_services_sold',
  numberOfEmployees: 'number_of_employees',
  currentPaymentProcessor: 'current_payment_processor',
  monthlyTransactionVolume: 'monthly_transaction_volume',
  interestedInSwitching: 'interested_in_switching',
  processStage: 'process_stage',
  buyingRole: 'buying_role',
  assignedTo: 'assigned_to',
  notes: 'notes',
  lastContacted: 'last_contacted',
  archived: 'archived',
  createdBy: 'created_by',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

/** Lead rows, always within one account. */
@Injectable()
export class LeadsRepository {
  /**
   * Answers the team/source questions of a create or update in one round trip: the account row
   * (which exists: the caller is a member) with the named team and source joined, and EXISTS
   * probes for "the account has active teams" and "the team has active lead sources".
   */
  async teamSourceFacts(em: EntityManager, accountId: number, ask: TeamSourceQuestion): Promise<TeamSourceFacts> {
    const qb = em.createQueryBuilder().select('a.id', 'account_id').from(Account, 'a').where('a.id = :accountId', { accountId });
    if (ask.activeTeams) {
      const sub = qb.subQuery().select('1').from(Team, 'tt').where('tt.account_id = a.id AND tt.active = :yes').getQuery();
      qb.addSelect(`CASE WHEN EXISTS ${sub} THEN 1 ELSE 0 END`, 'has_active_teams');
    }
    if (ask.teamId !== null) {
      qb.leftJoin(Team, 't', 't.id = :teamId AND t.account_id = a.id', { teamId: ask.teamId }).addSelect('t.id', 'team_id');
      if (ask.teamSources) {
        const sub = qb
          .subQuery()
          .select('1')
          .from(LeadSource, 'st')
          .where('st.account_id = a.id AND st.team_id = :teamId AND st.active = :yes')
          .getQuery();
        qb.addSelect(`CASE WHEN EXISTS ${sub} THEN 1 ELSE 0 END`, 'team_has_sources');
      }
    }
    if (ask.leadSourceId !== null) {
      qb.leftJoin(LeadSource, 's', 's.id = :leadSourceId AND s.account_id = a.id', { leadSourceId: ask.leadSourceId })
        .addSelect('s.id', 'source_id')
        .addSelect('s.team_id', 'source_team_id');
    }
    const row = await qb.setParameter('yes', true).getRawOne<Record<string, unknown>>();
    return {
      hasActiveTeams: Number(row?.has_active_teams ?? 0) === 1,
      teamExists: row?.team_id != null,
      teamHasSources: Number(row?.team_has_sources ?? 0) === 1,
      sourceExists: row?.source_id != null,
      sourceTeamId: row?.source_team_id == null ? null : Number(row.source_team_id),
    };
  }

  /** Inserts a lead and returns its id. */
  async insert(em: EntityManager, values: LeadValues): Promise<number> {
    const result = await em.insert(Lead, values);
    return Number(result.identifiers[0].id);
  }

  /** The lead, or null when it does not exist in the account. `lock` holds it until the transaction ends (PostgreSQL). */
  findById(em: EntityManager, accountId: number, id: number, opts: { lock?: boolean } = {}): Promise<Lead | null> {
    const qb = em.getRepository(Lead).createQueryBuilder('l').where('l.id = :id AND l.account_id = :accountId', { id, accountId });
    if (opts.lock && em.connection.options.type === 'postgres') qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  async update(em: EntityManager, accountId: number, id: number, values: LeadValues): Promise<void> {
    await em.update(Lead, { id, accountId }, values);
  }

  async delete(em: EntityManager, accountId: number, id: number): Promise<void> {
    await em.delete(Lead, { id, accountId });
  }

  /** The account's leads with the filters of GET /leads applied (search, sort and paging are the caller's). */
  filtered(em: EntityManager, accountId: number, q: ListLeadsQuery): SelectQueryBuilder<Lead> {
    const qb = em.getRepository(Lead).createQueryBuilder('l').where('l.account_id = :accountId', { accountId });
    qb.andWhere('l.archived = :archived', { archived: q.archived ?? false });

    const idFilter = (field: 'teamId' | 'leadSourceId') => {
      const v = q[field];
      if (v === undefined) return;
      if (v === NULL_FILTER) qb.andWhere(`l.${LEAD_COLUMNS[field]} IS NULL`);
      else qb.andWhere(`l.${LEAD_COLUMNS[field]} = :${field}`, { [field]: v });
    };
    idFilter('teamId');
    idFilter('leadSourceId');
    if (q.assignedTo !== undefined) {
      if (q.assignedTo === NULL_FILTER) qb.andWhere('l.assigned_to IS NULL');
      else qb.andWhere('l.assigned_to = :assignedTo', { assignedTo: q.assignedTo.trim().toLowerCase() });
    }
    for (const field of [...LEAD_TEXT_FILTERS, ...LEAD_INT_FILTERS]) {
      const v = q[field];
      if (v !== undefined) qb.andWhere(`l.${LEAD_COLUMNS[field]} = :f_${field}`, { [`f_${field}`]: v });
    }
    if (q.interestedInSwitching !== undefined) {
      qb.andWhere('l.interested_in_switching = :switching', { switching: q.interestedInSwitching });
    }
    for (const field of ['createdAt', 'updatedAt', 'lastContacted'] as const) {
      const range = parseDateRange(q[field], field);
      const column = `l.${LEAD_COLUMNS[field]}`;
      if (range?.from) qb.andWhere(`${column} >= :${field}From`, { [`${field}From`]: timestampParam(range.from) });
      if (range?.to) qb.andWhere(`${column} <= :${field}To`, { [`${field}To`]: timestampParam(range.to) });
    }
    return qb;
  }
}
