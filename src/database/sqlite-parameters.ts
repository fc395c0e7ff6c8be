import { DataSource, ObjectLiteral } from 'typeorm';

/**
 * SQLite: makes TypeORM bind integer parameters instead of writing them into the SQL text.
 *
 * TypeORM's SQLite driver turns a number parameter of the query builder into a literal
 * (`WHERE "l"."id" = 8292`), so every lookup by id is a new SQL text: better-sqlite3 prepares it
 * again (a wide SELECT costs more to prepare than to run), and the statement cache fills with
 * single-use statements and evicts the fixed ones. Bound as a 64-bit integer (a BigInt), the value
 * compares exactly as the literal did, also against text columns, and the text stays the same.
 * Other numbers keep TypeORM's handling.
 */
export function bindIntegerParameters(dataSource: DataSource): DataSource {
  if (dataSource.options.type !== 'better-sqlite3') return dataSource;
  const driver = dataSource.driver;
  const escape = driver.escapeQueryWithParameters.bind(driver);
  driver.escapeQueryWithParameters = (sql: string, parameters: ObjectLiteral) => {
    let bound: ObjectLiteral | null = null;
    for (const key in parameters) {
      const value: unknown = parameters[key];
      if (typeof value === 'number' && Number.isSafeInteger(value)) (bound ??= { ...parameters })[key] = BigInt(value);
    }
    return escape(sql, bound ?? parameters);
  };
  return dataSource;
}
