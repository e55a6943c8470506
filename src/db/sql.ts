/**
 * The one place where text is spliced into SQL. Values are bound as parameters
 * everywhere else; only what DuckDB cannot bind (table-function file paths in
 * some positions, identifiers, PRAGMA/SET arguments) comes through here.
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
