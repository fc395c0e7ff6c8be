import { HttpStatus } from '@nestjs/common';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { isPostgres } from '../../database/dialect';
import { entityFromRow } from '../../database/rows';
import { ApiError } from '../errors/api-error';
import { CACHED_COUNT_MIN, CountCache } from './count-cache';
import { KeysetKind, listCursors } from './list-cursors';
import { KeysetListQueryDto, ListQueryDto } from './list-query.dto';

/** The list envelope of every list endpoint. */
export interface Page<T> {
  data: T[];
  totalCount: number;
  totalPages: number;
  currentPage: number;
  /**
   * Present on lists that support keyset paging: pass it as `cursor` to get the next page without
   * an OFFSET (constant cost however deep); null on the last page.
   */
  nextCursor?: string | null;
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
  /**
   * Sortable fields (never NULL, with an entity property of the same name) that keyset paging may
   * follow. When set, pages answer `nextCursor`, and `cursor` continues from it.
   */
  keyset?: string[];
  /**
   * On PostgreSQL, build the page's entities straight from the driver's rows (which `pg` already
   * types: dates, booleans, JSON) instead of TypeORM's hydration, a fifth of a page's CPU. Only for
   * a query of one entity without joins whose columns need no TypeORM conversion.
   */
  plainRows?: boolean;
}

// Counts of at least CACHED_COUNT_MIN rows answer up to 5 s old under steady traffic (15 s at most).
const counts = new CountCache({ min: CACHED_COUNT_MIN, ttlMs: 5_000, staleMaxMs: 15_000, size: 500, now: Date.now });

const invalidCursor = () =>
  ApiError.badRequest('Invalid cursor', 'cursor must be the nextCursor of a previous page with the same sort', [
    { field: 'cursor', message: 'cursor must be the nextCursor of a previous page with the same sort' },
  ]);

function cursorValue(v: unknown): string | number {
  return v instanceof Date ? v.toISOString() : (v as string | number);
}

/** `%text%` with LIKE's wildcards escaped, lower-cased: matched against a lower-cased text. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function parseSort(sort: string | undefined, spec: ListSpec): { column: string; desc: boolean }[] {
  const raw = sort?.trim() ? sort : spec.defaultSort;
  const out: { column: string; desc: boolean }[] = [];
  const unknown: string[] = [];
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
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

/**
 * The searchable columns joined by U+001F into one lower-cased text: one LOWER per row, and on
 * PostgreSQL the expression of the leads' trigram index (IDX_leads_search_trgm).
 */
export function searchDocument(columns: string[], postgres: boolean): string {
  const separator = postgres ? 'chr(31)' : 'char(31)';
  return `lower(${columns.map((c) => `coalesce(${c}, '')`).join(` || ${separator} || `)})`;
}

/**
 * Applies `search` to the query: a case-insensitive substring of any searchable column. Matched
 * against the columns' document, which is the same as an OR over the columns: U+001F, the separator,
 * is taken out of the search, so no match spans two columns.
 */
export function applySearch<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, search: string | undefined, spec: ListSpec) {
  const text = search?.trim().replaceAll('\u001f', '');
  if (!text || !spec.searchable.length) return qb;
  const postgres = isPostgres(qb.connection);
  // PostgreSQL's LIKE escapes with a backslash by default; SQLite's has no escape unless named.
  const like = postgres ? 'LIKE :__search' : "LIKE :__search ESCAPE '\\'";
  return qb.andWhere(`${searchDocument(spec.searchable, postgres)} ${like}`, { __search: likePattern(text) });
}

/**
 * Runs a list query: search, whitelisted sort (id as final tie-breaker), page and pageSize, and
 * the count. The caller has already scoped the query to the account and applied its filters.
 */
export async function paginate<T extends ObjectLiteral, R = T>(
  qb: SelectQueryBuilder<T>,
  query: ListQueryDto & Partial<Pick<KeysetListQueryDto, 'cursor'>>,
  spec: ListSpec,
  map: (row: T) => R = (row) => row as unknown as R,
): Promise<Page<R>> {
  const pageSize = query.pageSize ?? 10;
  const order = parseSort(query.sort, spec);
  applySearch(qb, query.search, spec);
  if (!order.some((o) => o.column === spec.idColumn)) {
    order.push({ column: spec.idColumn, desc: order[order.length - 1]?.desc ?? false });
  }

  // The count is taken before the keyset condition: it counts the whole list.
  const countQuery = qb.clone();
  const [countSql, countParams] = countQuery.getQueryAndParameters();
  // Integer parameters arrive as BigInt on SQLite (database/sqlite-parameters.ts): keyed by type and value.
  const key = JSON.stringify([countSql, countParams], (_k, v: unknown) => (typeof v === 'bigint' ? { bigint: String(v) } : v));
  const totalCount = await counts.get(key, () => countQuery.getCount());

  const keyFields = keysetFields(order, spec);
  const sortKey = order.map((o) => `${o.desc ? '-' : ''}${o.column}`).join(',');
  let page = query.page ?? 1;
  let offset = (page - 1) * pageSize;
  if (query.cursor !== undefined) {
    if (!keyFields) {
      throw ApiError.badRequest(
        'Invalid cursor',
        `cursor paging follows only a sort on ${(spec.keyset ?? []).join(', ') || 'nothing'} in this list`,
        [{ field: 'cursor', message: 'cursor paging is not available with this sort' }],
      );
    }
    const kinds = keyFields.map((f) => keysetKind(qb, f));
    const cursor = listCursors().decode(query.cursor, sortKey, kinds);
    if (!cursor) throw invalidCursor();
    applyKeyset(qb, order, cursor.v, kinds, isPostgres(qb.connection));
    page = cursor.p;
    offset = 0;
  }

  const nulls = (o: { column: string; desc: boolean }) =>
    spec.nullable?.includes(o.column) ? (o.desc ? 'NULLS FIRST' : 'NULLS LAST') : undefined;
  order.forEach((o, i) =>
    i === 0 ? qb.orderBy(o.column, o.desc ? 'DESC' : 'ASC', nulls(o)) : qb.addOrderBy(o.column, o.desc ? 'DESC' : 'ASC', nulls(o)),
  );
  const rows =
    totalCount > offset || query.cursor !== undefined ? await fetchRows(qb.offset(offset || undefined).limit(pageSize), spec) : [];
  const result: Page<R> = {
    data: rows.map(map),
    totalCount,
    totalPages: Math.ceil(totalCount / pageSize),
    currentPage: page,
  };
  if (spec.keyset) {
    const last = rows[rows.length - 1];
    result.nextCursor =
      keyFields && last && rows.length === pageSize
        ? listCursors().encode({ v: keyFields.map((f) => cursorValue(last[f])), p: page + 1, s: sortKey })
        : null;
  }
  return result;
}

function fetchRows<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, spec: ListSpec): Promise<T[]> {
  if (!spec.plainRows || !isPostgres(qb.connection)) return qb.getMany();
  const target = qb.expressionMap.mainAlias!.target;
  return qb
    .getRawMany()
    .then((raw) => raw.map((r: Record<string, unknown>) => entityFromRow(qb.connection.manager, target, r, `${qb.alias}_`)));
}

/** The entity properties of the sort, when every one of them may carry a keyset; else null. */
function keysetFields(order: { column: string }[], spec: ListSpec): string[] | null {
  if (!spec.keyset) return null;
  const byColumn = new Map(Object.entries(spec.sortable).map(([field, column]) => [column, field]));
  const fields = order.map((o) => byColumn.get(o.column) ?? (o.column === spec.idColumn ? 'id' : undefined));
  return fields.every((f): f is string => f !== undefined && (f === 'id' || spec.keyset!.includes(f))) ? fields : null;
}

/** What a cursor's value of `field` must be, from the type of the entity's column. */
function keysetKind<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, field: string): KeysetKind {
  const column = qb.expressionMap.mainAlias!.metadata.findColumnWithPropertyName(field);
  if (!column) throw new Error(`keyset field ${field} is not a column of ${qb.alias}`);
  const type = column.type;
  if (type === Date || /time|date/i.test(String(type))) return 'timestamp';
  if (type === Number || /int/i.test(String(type))) return 'integer';
  return 'text';
}

/**
 * Rows strictly after the cursor in the sort order: (a > x) OR (a = x AND b > y) OR …, with each
 * comparison in its own column's direction, so mixed ASC/DESC sorts work on both databases.
 */
function applyKeyset<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  order: { column: string; desc: boolean }[],
  values: (string | number)[],
  kinds: KeysetKind[],
  isPostgres: boolean,
): void {
  const params: Record<string, unknown> = {};
  const param = (i: number) => {
    const v = values[i];
    // Timestamps are compared as timestamps: SQLite stores them as UTC text "YYYY-MM-DD HH:MM:SS.SSS".
    const isTime = kinds[i] === 'timestamp';
    params[`__k${i}`] = isTime ? (isPostgres ? new Date(v) : (v as string).replace('T', ' ').replace('Z', '')) : v;
    return `:__k${i}`;
  };
  const ors = order.map((o, i) => {
    const equal = order.slice(0, i).map((p, j) => `${p.column} = ${param(j)}`);
    return `(${[...equal, `${o.column} ${o.desc ? '<' : '>'} ${param(i)}`].join(' AND ')})`;
  });
  // The redundant bound on the first column is what lets the planner start the index scan at the
  // cursor instead of filtering every entry before it (an OR is not an index range by itself).
  const first = order[0];
  qb.andWhere(`${first.column} ${first.desc ? '<=' : '>='} ${param(0)} AND (${ors.join(' OR ')})`, params);
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
