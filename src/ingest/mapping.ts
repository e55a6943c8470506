import { UsageError } from '../errors.js';
import { LOG_FIELDS, isLogField, type LogField } from './schema.js';

/** Log field -> the name it has in the input (a JSON key, a JSON path starting with `$.`, or a CSV/Parquet column). */
export type ColumnMapping = Record<LogField, string>;

export function identityMapping(): ColumnMapping {
  return Object.fromEntries(LOG_FIELDS.map((field) => [field, field])) as ColumnMapping;
}

/** The JSON paths --map accepts: `$` then `.key`, `."any key"` or `[index]` steps. */
const JSON_PATH = /^\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\."(?:[^"\\]|\\.)+"|\[\d+\])+$/;

/** Parses repeated `--map field=source` flags. Unknown fields and a source used twice are usage errors. */
export function parseColumnMapping(flags: readonly string[]): ColumnMapping {
  const mapping = identityMapping();
  const seen = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const field = eq > 0 ? flag.slice(0, eq).trim() : '';
    const source = eq > 0 ? flag.slice(eq + 1).trim() : '';
    if (!field || !source) throw new UsageError(`--map "${flag}": expected FIELD=SOURCE, e.g. --map ts=timestamp`);
    if (!isLogField(field)) throw new UsageError(`--map "${flag}": unknown log field "${field}" (expected one of: ${LOG_FIELDS.join(', ')})`);
    if (seen.has(field)) throw new UsageError(`--map "${flag}": field "${field}" is already mapped to "${seen.get(field)}"`);
    if (source.startsWith('$') && !JSON_PATH.test(source)) {
      throw new UsageError(`--map "${flag}": "${source}" is not a JSON path; expected $.key, $.a.b, $."a key" or $.list[0]`);
    }
    seen.set(field, source);
    mapping[field] = source;
  }
  const sources = new Map<string, LogField>();
  for (const field of LOG_FIELDS) {
    const other = sources.get(mapping[field]);
    if (other) throw new UsageError(`--map: "${mapping[field]}" would feed both "${other}" and "${field}"`);
    sources.set(mapping[field], field);
  }
  return mapping;
}

/** JSON path for a source name: `$.a.b` is used as given; any other name is one quoted key. */
export function jsonPathFor(source: string): string {
  return source.startsWith('$.') ? source : `$."${source.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * For DuckDB's json_transform, which reads all fields in one go: when every
 * source is a distinct top-level key, the structure naming them in LOG_FIELDS
 * order (written by hand: a JS object would put integer-like keys first).
 * Otherwise (a nested `$.a.b` path, say) flat is false and json_extract_string
 * reads the paths; the structure is then the identity one, bound but unused.
 */
export function jsonTransformPlan(mapping: ColumnMapping): { flat: boolean; structure: string } {
  const keys = LOG_FIELDS.map((field) => topLevelKey(mapping[field]));
  const flat = keys.every((key) => key !== null) && new Set(keys).size === keys.length;
  const names = flat ? (keys as string[]) : [...LOG_FIELDS];
  return { flat, structure: `{${names.map((name) => `${JSON.stringify(name)}:"VARCHAR"`).join(',')}}` };
}

function topLevelKey(source: string): string | null {
  if (!source.startsWith('$.')) return source;
  const rest = source.slice(2);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(rest) ? rest : null;
}
