/**
 * The one way text reaches ClickHouse SQL. ClickHouse 18.16 (Debian's
 * package) cannot bind values on the server (any `param_*` is an error), so a
 * query under queries/clickhouse/ names its values as `$name` and its tables
 * as `{{name}}`, and this helper splices them in, refusing anything but:
 *   $name   -> a safe integer (or NULL): ids, counts, epoch microseconds;
 *   {{name}} -> an identifier of letters, digits and `_` (a database, table
 *              or cluster name), backquoted.
 * Every string value (a session id, a country, a path) reaches ClickHouse as
 * inserted data instead (JSONEachRow), never as SQL text.
 */

export type ClickHouseValue = number | null;

export class ClickHouseSqlError extends Error {
  override name = 'ClickHouseSqlError';
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A validated integer literal; NULL for null. */
export function integerLiteral(value: ClickHouseValue, name = 'value'): string {
  if (value === null) return 'NULL';
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ClickHouseSqlError(`$${name} must be a safe integer, got ${String(value)}`);
  return String(value);
}

/** True when the name can be used as a ClickHouse identifier here. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A validated, backquoted identifier. */
export function identifierLiteral(name: string): string {
  if (!isIdentifier(name)) throw new ClickHouseSqlError(`"${name}" is not a plain identifier (letters, digits and _, not starting with a digit)`);
  return `\`${name}\``;
}

/** Epoch microseconds of an ISO-8601 time (or null), for $…_us parameters. */
export function epochMicros(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new ClickHouseSqlError(`not a time: ${iso}`);
  const fraction = /\.(\d{4,6})/.exec(iso)?.[1];
  const extraMicros = fraction === undefined ? 0 : Number(fraction.padEnd(6, '0').slice(3));
  return ms * 1000 + extraMicros;
}

/**
 * The query with its $values and {{identifiers}} spliced in. Every placeholder must be given;
 * a value that is given and unused is an error too (a typo in a query file).
 */
export function bindClickHouse(sql: string, values: Record<string, ClickHouseValue>, identifiers: Record<string, string>): string {
  const usedValues = new Set<string>();
  const usedIdentifiers = new Set<string>();
  const withIdentifiers = withoutComments(sql).replace(/\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g, (_, name: string) => {
    const identifier = identifiers[name];
    if (identifier === undefined) throw new ClickHouseSqlError(`no identifier given for {{${name}}}`);
    usedIdentifiers.add(name);
    return identifierLiteral(identifier);
  });
  const bound = withIdentifiers.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    if (!(name in values)) throw new ClickHouseSqlError(`no value given for $${name}`);
    usedValues.add(name);
    return integerLiteral(values[name]!, name);
  });
  const unused = Object.keys(values).filter((name) => !usedValues.has(name));
  if (unused.length > 0) throw new ClickHouseSqlError(`values given but not used: ${unused.map((n) => `$${n}`).join(', ')}`);
  return bound;
}

/** Whole-line `--` comments removed: what they say is never bound or sent. */
function withoutComments(sql: string): string {
  return sql
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n');
}

/** The statements of a bound script: ClickHouse's HTTP interface takes one per request. Split at a `;` that ends a line. */
export function statementsOf(script: string): string[] {
  return script
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
