/**
 * The one quoting helper for text that must be spliced into SQL. Today src/
 * splices nothing: every value, file path and setting is bound as a parameter.
 * The tests use these to write fixture SQL; anything DuckDB cannot bind that
 * src/ may need later (an identifier, a path in a position that takes no
 * parameter) must come through here, never through string concatenation.
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
