import { HttpStatus } from '@nestjs/common';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ApiError } from '../errors/api-error';
import { ListQueryDto } from './list-query.dto';

/** The list envelope of every list endpoint. */
export interface Page<T> {
  data: T[];
  totalCount: number;
  totalPages: number;
  currentPage: number;
}

export interface ListSpec {
  /** API field name → SQL column expression (e.g. `createdAt` → `t.created_at`). */
  sortable: Record<string, string>;
  /** Column expressions matched by `search`. */
  searchable: string[];
  /** Used when `sort` is absent, e.g. `-createdAt`. */
  defaultSort: string;
  /** The primary key expression, appended as the final tie-breaker so pages are stable. */
  idColumn: string;
  /**
   * Sortable column expressions that may be NULL. NULLs then sort as the largest values on every
   * driver (last ascending, first descending, PostgreSQL's default; SQLite does the opposite).
   */
  nullable?: string[];
}

/** `%text%` with LIKE's wildcards escaped; matched against LOWER(column) for case-insensitivity. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function parseSort(sort: string | undefined, spec: ListSpec): { column: string; desc: boolean }[] {
  const raw = sort?.trim() ? sort : spec.defaultSort;
  const out: { column: string; desc: boolean }[] = [];
  const unknown: string[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const desc = part.startsWith('-');
    const field = desc ? part.slice(1) : part;
    const column = Object.prototype.hasOwnProperty.call(spec.sortable, field) ? spec.sortable[field] : undefined;
    if (!column) unknown.push(field);
    else out.push({ column, desc });
  }
  if (unknown.length) {
    throw new ApiError(
      HttpStatus.BAD_REQUEST,
      'Invalid sort',
      `Unknown sort field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Allowed: ${Object.keys(spec.sortable).join(', ')}`,
      unknown.map((f) => ({ field: 'sort', message: `unknown sort field "${f}"` })),
    );
  }
  return out;
}

/** Applies `search` to the query (an OR over the spec's searchable columns). */
export function applySearch<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, search: string | undefined, spec: ListSpec) {
  const text = search?.trim();
  if (!text || !spec.searchable.length) return qb;
  const clause = spec.searchable.map((c) => `LOWER(${c}) LIKE :__search ESCAPE '\\'`).join(' OR ');
  return qb.andWhere(`(${clause})`, { __search: likePattern(text) });
}

/**
 * Runs a list query: search, whitelisted sort (id as final tie-breaker), page and pageSize, and
 * the count. The caller has already scoped the query to the account and applied its filters.
 */
export async function paginate<T extends ObjectLiteral, R = T>(
  qb: SelectQueryBuilder<T>,
  query: ListQueryDto,
  spec: ListSpec,
  map: (row: T) => R = (row) => row as unknown as R,
): Promise<Page<R>> {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 10;
  const order = parseSort(query.sort, spec);
  applySearch(qb, query.search, spec);

  const totalCount = await qb.clone().getCount();
  const nulls = (o: { column: string; desc: boolean }) =>
    spec.nullable?.includes(o.column) ? (o.desc ? 'NULLS FIRST' : 'NULLS LAST') : undefined;
  order.forEach((o, i) =>
    i === 0 ? qb.orderBy(o.column, o.desc ? 'DESC' : 'ASC', nulls(o)) : qb.addOrderBy(o.column, o.desc ? 'DESC' : 'ASC', nulls(o)),
  );
  if (!order.some((o) => o.column === spec.idColumn)) {
    qb.addOrderBy(spec.idColumn, order[order.length - 1]?.desc ? 'DESC' : 'ASC');
  }
  const rows = totalCount > (page - 1) * pageSize ? await qb.offset((page - 1) * pageSize).limit(pageSize).getMany() : [];
  return {
    data: rows.map(map),
    totalCount,
    totalPages: Math.ceil(totalCount / pageSize),
    currentPage: page,
  };
}

/** Parses `from,to` (either side may be empty) into dates, or answers 400 naming the parameter. */
export function parseDateRange(value: string | undefined, field: string): { from?: Date; to?: Date } | null {
  if (value === undefined || value === '') return null;
  const [a, b, ...rest] = value.split(',');
  const bad = () =>
    ApiError.badRequest('Validation failed', `${field} must be "from,to" with ISO 8601 dates`, [
      { field, message: `${field} must be "from,to" with ISO 8601 dates (either may be empty)` },
    ]);
  if (rest.length) throw bad();
  const parse = (s: string | undefined) => {
    if (s === undefined || s.trim() === '') return undefined;
    const d = new Date(s.trim());
    if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(s.trim())) throw bad();
    return d;
  };
  const range = { from: parse(a), to: parse(b) };
  if (!range.from && !range.to) throw bad();
  return range;
}
