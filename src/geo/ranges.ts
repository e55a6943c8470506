/**
 * Geo lookup inside DuckDB (docs/geo.md): the range CSVs become the temporary
 * table geo_ranges (non-overlapping 128-bit key intervals), and addresses are
 * resolved with ASOF joins in SQL (queries/geo/), never row by row in JS.
 *
 * Lifetime: the tables are TEMP, built per connection when first needed. The
 * bundled database (about 550,000 ranges) loads in about a second at most, so
 * a persistent copy in the user's database, with its invalidation, would not
 * pay for itself; docs/geo.md has the measurements.
 */
import { varcharList, type Database } from '../db/database.js';
import { InputError } from '../errors.js';
import { loadQuery, queryRow, queryRows } from '../queries.js';
import { FILE_RANGE_COUNT_ROW, LOOKUP_NEEDED_ROW, LOOKUP_RESULT_ROW, RANGE_COUNT_ROW, RANGE_PROBLEM_ROW } from './shapes.js';
import type { GeoSource } from './source.js';

/** Which source each connection's geo_ranges holds: loading twice on one connection is skipped. */
const loaded = new WeakMap<Database, string>();

/** The ip-to-key macros and the special-purpose blocks; cheap and idempotent. */
async function prepareGeo(db: Database): Promise<void> {
  await db.run(loadQuery('geo/macros.sql'));
  await db.runScript(loadQuery('geo/special-ranges.sql'));
}

/**
 * Loads the source's ranges into geo_ranges (null: an empty table). A row that is
 * not `first,last,country` is an InputError naming the file and row.
 */
export async function loadGeoRanges(db: Database, source: GeoSource | null): Promise<{ ranges: number }> {
  await prepareGeo(db);
  return loadRanges(db, source);
}

async function loadRanges(db: Database, source: GeoSource | null): Promise<{ ranges: number }> {
  const key = source === null ? '' : JSON.stringify([source.files, source.version]);
  if (loaded.get(db) === key) return { ranges: await countRanges(db) };
  loaded.delete(db);
  if (source === null) {
    await db.run(loadQuery('geo/empty-ranges.sql'));
  } else {
    await db.run(loadQuery('geo/range-table.sql'));
    for (const [index, file] of source.files.entries()) {
      const name = source.names[index] ?? file;
      await readRanges(db, file, name, index);
      const { rows } = await queryRow(db, FILE_RANGE_COUNT_ROW, 'geo/file-range-count.sql', { file_index: index });
      if (rows === 0) throw new InputError(name, 'no ranges in it: expected rows of first,last,country (docs/geo.md)');
    }
    const problems = await queryRows(db, RANGE_PROBLEM_ROW, 'geo/range-problems.sql');
    const first = problems[0];
    if (first !== undefined) {
      const name = (index: number) => source.names[index] ?? source.files[index]!;
      const more = problems.length > 1 ? ` (and more rows: ${problems.slice(1).map((p) => `${p.file_index === first.file_index ? '' : `${name(p.file_index)} `}row ${p.row_no}`).join(', ')})` : '';
      throw new InputError(name(first.file_index), `row ${first.row_no}: ${first.problem}${more}`);
    }
    await db.runScript(loadQuery('geo/ranges.sql'));
  }
  loaded.set(db, key);
  return { ranges: await countRanges(db) };
}

/** The typed fast path for files of numbers; on any failure the text path, which reports what is wrong. */
async function readRanges(db: Database, file: string, name: string, index: number): Promise<void> {
  try {
    await db.runScript(loadQuery('geo/read-ranges.sql'), { path: file, file_index: index });
    return;
  } catch {
    // Not all numbers (a header, addresses, a bad row): read it as text below.
  }
  try {
    await db.runScript(loadQuery('geo/read-ranges-text.sql'), { path: file, file_index: index });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(name, `not a range CSV (first,last,country per row): ${message.split('\n')[0]}`);
  }
}

async function countRanges(db: Database): Promise<number> {
  return (await queryRow(db, RANGE_COUNT_ROW, 'geo/range-count.sql')).ranges;
}

/**
 * Resolves the addresses in the temporary table geo_lookup (column `ip`, distinct)
 * into geo_lookup_result (ip, ip_key, country, status). The source's ranges are
 * loaded only when some address needs them: one that is valid and in no
 * special-purpose block (so logs of private or invalid addresses pay nothing).
 * Null source: nothing is looked up (`--no-geo`).
 */
export async function lookUp(db: Database, source: GeoSource | null): Promise<void> {
  await prepareGeo(db);
  await db.run(loadQuery('geo/lookup-keys.sql'));
  const { addresses } = await queryRow(db, LOOKUP_NEEDED_ROW, 'geo/lookup-needed.sql');
  await loadRanges(db, addresses > 0 ? source : null);
  await db.runScript(loadQuery('geo/resolve.sql'), { geo_enabled: source !== null });
}

/** Convenience for tests and tools: resolves a list of address texts. */
export async function resolveAddresses(
  db: Database,
  source: GeoSource | null,
  addresses: readonly string[],
): Promise<Map<string, { country: string | null; status: string }>> {
  await db.run(loadQuery('geo/lookup-list.sql'), { ips: varcharList(addresses) });
  await lookUp(db, source);
  const rows = await queryRows(db, LOOKUP_RESULT_ROW, 'geo/lookup-result.sql');
  return new Map(rows.map((r) => [r.ip, { country: r.country, status: r.status }]));
}
