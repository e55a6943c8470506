/**
 * The one quoting helper for text that must be spliced into DuckDB SQL. src/
 * splices one thing: the table and file of COPY ... TO (Database.exportJson),
 * which takes no parameter; every value, other path and setting is bound. The
 * tests use these to write fixture SQL. Anything else DuckDB cannot bind must
 * come through here, never through string concatenation. (ClickHouse SQL has
 * its own helper, src/db/clickhouse-sql.ts.)
 */

/** Quotes a string as a SQL literal: 'it''s'. Rejects NUL, which DuckDB cannot hold in a literal. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL literal cannot contain a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quotes an identifier: "my ""table""". */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new Error('a SQL identifier cannot contain a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}
