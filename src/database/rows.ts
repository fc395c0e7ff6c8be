import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import { isPostgres } from './dialect';
import { preparedQuery } from './prepared';

/**
 * Fixed SQL for the hot paths (a create in one statement, a lead with its history in one query),
 * built from the entities' TypeORM metadata so column names and JSON columns have one
 * source of truth. TypeORM's query builder re-derives all of it on every call; these helpers derive
 * it once per entity.
 */

/** Positional parameters of one statement: `add(v)` returns its placeholder (`$1`, `$2`, …). */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

interface Columns {
  meta: EntityMetadata;
  table: string;
  /** Every column but generated ones (the id). */
  insertable: ColumnMetadata[];
  all: ColumnMetadata[];
  /** Columns holding a point in time (a JSON row carries them as text). */
  timestamps: ColumnMetadata[];
  /** Select lists already built, by kind and alias (the hot queries ask for the same ones on every request). */
  lists: Map<string, string>;
  /** Per key prefix of raw rows, each column's key in the row (built once: see `entityFromRow`). */
  fields: Map<string, Field[]>;
}

interface Field {
  key: string;
  property: string;
  column: ColumnMetadata;
}

// Per data source and entity class (getMetadata searches the data source's list on every call).
const cache = new WeakMap<object, WeakMap<object, Columns>>();

function columnsOf(em: EntityManager, target: EntityTarget<ObjectLiteral>): Columns {
  let perSource = cache.get(em.connection);
  if (!perSource) cache.set(em.connection, (perSource = new WeakMap()));
  let cols = perSource.get(target as object);
  if (!cols) {
    const meta = em.connection.getMetadata(target);
    cols = {
      meta,
      table: meta.tablePath,
      all: meta.columns,
      timestamps: meta.columns.filter(
        (c) => c.type === Date || ['timestamptz', 'timestamp with time zone', 'timestamp'].includes(String(c.type)),
      ),
      insertable: meta.columns.filter((c) => !c.isGenerated),
      lists: new Map(),
      fields: new Map(),
    };
    perSource.set(target as object, cols);
  }
  return cols;
}

const quote = (name: string) => `"${name}"`;
const isJson = (c: ColumnMetadata) => c.type === 'jsonb' || c.type === 'json';

/**
 * `INSERT INTO "table" (every column but the id) VALUES (…)` with the entity's values as parameters
 * (JSON columns serialized and cast), except the columns in `expressions`, given as SQL expressions
 * by database name (for values only the statement itself knows, such as an id it has just created).
 */
export function insertStatement(
  em: EntityManager,
  target: EntityTarget<ObjectLiteral>,
  values: ObjectLiteral,
  params: SqlParams,
  expressions: Record<string, string> = {},
  /** A condition: the row is inserted only when it holds (`INSERT … SELECT … WHERE`). */
  when?: string,
): string {
  const { table, insertable } = columnsOf(em, target);
  const names: string[] = [];
  const exprs: string[] = [];
  for (const c of insertable) {
    names.push(quote(c.databaseName));
    const expr = expressions[c.databaseName];
    if (expr !== undefined) exprs.push(expr);
    // The same text whatever the values (a NULL is cast too), so the statement can be prepared once.
    else exprs.push(isJson(c) ? `${params.add(insertValue(c, values))}::jsonb` : params.add(insertValue(c, values)));
  }
  const rows = when === undefined ? `VALUES (${exprs.join(', ')})` : `SELECT ${exprs.join(', ')} WHERE ${when}`;
  return `INSERT INTO ${quote(table)} (${names.join(', ')}) ${rows}`;
}

/** A column's parameter in insertStatement: the entity's value, JSON serialized for JSON columns. */
function insertValue(c: ColumnMetadata, values: ObjectLiteral): unknown {
  const v = values[c.propertyName] ?? null;
  return isJson(c) && v !== null ? JSON.stringify(v) : v;
}

/**
 * PostgreSQL: `INSERT INTO "table" (columns) SELECT … FROM jsonb_populate_recordset(NULL::"table", $n)
 * WITH ORDINALITY AS alias <from>` — many rows from one parameter (the entities as one JSON array keyed
 * by column name), so the text is the same however many rows there are. Every column but the id is
 * taken from the JSON, except those in `expressions` (SQL by database name, which may name `alias` and
 * its `ordinality`); `extra` adds columns the entity generates (such as an id the statement chose).
 */
export function insertRecordsetStatement(
  em: EntityManager,
  target: EntityTarget<ObjectLiteral>,
  rows: ObjectLiteral[],
  params: SqlParams,
  opts: { alias: string; from: string; expressions?: Record<string, string>; extra?: Record<string, string> },
): string {
  const { table, insertable } = columnsOf(em, target);
  const { alias, expressions = {}, extra = {} } = opts;
  const names = [...Object.keys(extra), ...insertable.map((c) => c.databaseName)].map(quote);
  const exprs = [...Object.values(extra), ...insertable.map((c) => expressions[c.databaseName] ?? `${alias}.${quote(c.databaseName)}`)];
  // Plain loops: this runs for every row of every create.
  const json: Record<string, unknown>[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const out: Record<string, unknown> = {};
    for (const c of insertable) out[c.databaseName] = row[c.propertyName] ?? null;
    json[i] = out;
  }
  return (
    `INSERT INTO ${quote(table)} (${names.join(', ')}) SELECT ${exprs.join(', ')} ` +
    `FROM jsonb_populate_recordset(NULL::${quote(table)}, ${params.add(JSON.stringify(json))}::jsonb) WITH ORDINALITY AS ${alias} ${opts.from}`
  );
}

/** `alias."column", …` for every column of the entity (a stable select list for a prepared text). */
export function columnList(em: EntityManager, target: EntityTarget<ObjectLiteral>, alias: string): string {
  return selectList(em, target, `columns ${alias}`, (c) => `${alias}.${quote(c.databaseName)}`);
}

function selectList(em: EntityManager, target: EntityTarget<ObjectLiteral>, key: string, item: (c: ColumnMetadata) => string): string {
  const { all, lists } = columnsOf(em, target);
  let list = lists.get(key);
  if (list === undefined) lists.set(key, (list = all.map(item).join(', ')));
  return list;
}

/**
 * The entity of a raw row keyed by column names. On PostgreSQL the row is `pg`'s, typed by the
 * driver (a row the database turned into JSON goes through entityFromJson). On SQLite every value
 * goes through the driver's own hydration, exactly as TypeORM's query builder would convert it
 * (0/1 → boolean, datetime text → Date, JSON text → value).
 */
export function entityFromRow<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  row: Record<string, unknown>,
  /** Of the keys, as TypeORM's select aliases them (`l_first_name`). */
  prefix = '',
): T {
  const cols = columnsOf(em, target);
  // The row keys are built once per prefix: a key concatenated afresh for every column of every row
  // is a new string V8 must hash and look up each time (a tenth of a 50-lead page's CPU).
  let fields = cols.fields.get(prefix);
  if (fields === undefined) {
    fields = cols.all.map((c) => ({ key: prefix + c.databaseName, property: c.propertyName, column: c }));
    cols.fields.set(prefix, fields);
  }
  const entity = cols.meta.create() as Record<string, unknown>;
  if (isPostgres(em)) {
    for (const f of fields) entity[f.property] = row[f.key] ?? null;
  } else {
    const driver = em.connection.driver;
    for (const f of fields) entity[f.property] = driver.prepareHydratedValue(row[f.key] ?? null, f.column);
  }
  return entity as T;
}

/**
 * PostgreSQL: the entity of a row the database turned into JSON (`row_to_json`, `json_agg`), keyed by
 * column names: as entityFromRow, with the timestamps, which JSON carries as text, made Dates again.
 */
export function entityFromJson<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const entity = entityFromRow(em, target, row) as Record<string, unknown>;
  for (const c of columnsOf(em, target).timestamps) {
    const v = entity[c.propertyName];
    if (typeof v === 'string') entity[c.propertyName] = new Date(v);
  }
  return entity as T;
}

/**
 * SQLite: inserts one entity's row with fixed SQL (one text per set of given columns, cached as a
 * prepared statement by better-sqlite3) and returns its id. Values are converted by the driver
 * exactly as TypeORM's insert would convert them (Date → UTC text, boolean → 0/1, JSON → text);
 * columns whose value is undefined are left to their default.
 */
export async function sqliteInsert(em: EntityManager, target: EntityTarget<ObjectLiteral>, values: ObjectLiteral): Promise<number> {
  const { table, insertable } = columnsOf(em, target);
  const driver = em.connection.driver;
  const names: string[] = [];
  const params: unknown[] = [];
  for (const c of insertable) {
    const v: unknown = values[c.propertyName];
    if (v === undefined) continue;
    names.push(quote(c.databaseName));
    params.push(driver.preparePersistentValue(v, c));
  }
  const [row] = await em.query(
    `INSERT INTO ${quote(table)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) RETURNING id`,
    params,
  );
  return Number((row as { id: number }).id);
}

/**
 * SQLite: inserts rows with ONE multi-row statement (atomic by itself), values converted by the driver
 * as TypeORM's insert would convert them, absent values as NULL. The text depends only on the number of
 * rows; each is prepared once by better-sqlite3 (as TypeORM's insert builder does, without building the
 * statement anew on every call).
 */
export async function sqliteInsertRows(em: EntityManager, target: EntityTarget<ObjectLiteral>, rows: ObjectLiteral[]): Promise<void> {
  if (!rows.length) return;
  const { table, insertable } = columnsOf(em, target);
  const driver = em.connection.driver;
  const params: unknown[] = [];
  for (const r of rows) for (const c of insertable) params.push(driver.preparePersistentValue(r[c.propertyName] ?? null, c));
  const key = `${table}:${rows.length}`;
  let text = sqliteRowsTexts.get(key);
  if (text === undefined) {
    const tuple = `(${insertable.map(() => '?').join(', ')})`;
    text = `INSERT INTO ${quote(table)} (${insertable.map((c) => quote(c.databaseName)).join(', ')}) VALUES ${Array(rows.length).fill(tuple).join(', ')}`;
    sqliteRowsTexts.set(key, text);
  }
  await em.query(text, params);
}

const sqliteRowsTexts = new Map<string, string>();

/** `json_object('column', alias."column", …)` of every column of the entity (SQLite: a row as JSON, values as stored). */
export function sqliteJsonObject(em: EntityManager, target: EntityTarget<ObjectLiteral>, alias: string): string {
  return `json_object(${selectList(em, target, `json ${alias}`, (c) => `'${c.databaseName}', ${alias}.${quote(c.databaseName)}`)})`;
}

/**
 * PostgreSQL: inserts any number of rows with ONE fixed text (`INSERT … SELECT * FROM unnest($1::type[], …)`,
 * one array parameter per column), so the statement is prepared once however many rows a batch has.
 */
export async function insertRows(em: EntityManager, target: EntityTarget<ObjectLiteral>, rows: ObjectLiteral[]): Promise<void> {
  const { table, insertable } = columnsOf(em, target);
  let text = unnestTexts.get(table);
  if (text === undefined) {
    const types = insertable.map((c, i) => `$${i + 1}::${em.connection.driver.normalizeType(c)}[]`);
    text = `INSERT INTO ${quote(table)} (${insertable.map((c) => quote(c.databaseName)).join(', ')}) SELECT * FROM unnest(${types.join(', ')})`;
    unnestTexts.set(table, text);
  }
  const params = insertable.map((c) =>
    rows.map((r) => {
      const v = r[c.propertyName] ?? null;
      return isJson(c) && v !== null ? JSON.stringify(v) : v;
    }),
  );
  await preparedQuery(em, text, params);
}

const unnestTexts = new Map<string, string>();
