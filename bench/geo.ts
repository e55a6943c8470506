/**
 * Geo lookup throughput: N distinct client addresses (a fifth IPv6), resolved
 * inside DuckDB against the bundled database exactly as an audit does it
 * (queries/geo/lookup-keys.sql, resolve.sql: parse, special-purpose blocks, ASOF
 * joins). The ranges are loaded before the clock starts; docs/geo.md gives that cost.
 *
 * The addresses are deterministic and distinct without a random generator:
 * row i maps through a multiplicative bijection (odd multiplier modulo a power
 * of two) offset by the seed, so the same N and seed give the same addresses.
 */
import { Database } from '#routeaudit/db/database.js';
import { loadGeoRanges, lookUp } from '#routeaudit/geo/ranges.js';
import { bundledGeoSource } from '#routeaudit/geo/source.js';

export interface GeoBenchResult {
  name: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

const SEED = 2020;

// Bench-only SQL: fills geo_lookup, the table the lookup reads.
const ADDRESSES_SQL = `
CREATE OR REPLACE TEMP TABLE geo_lookup AS
WITH n AS (SELECT i::UHUGEINT AS i FROM range($rows::BIGINT) t(i)),
mixed AS (
  SELECT i,
    (i * 2654435761 + $seed::UHUGEINT) % 4294967296 AS v4,
    (i * 11400714819323198485 + $seed::UHUGEINT) % 2305843009213693952 AS hi,
    (i * 13787848793156543929) % 18446744073709551616 AS lo
  FROM n
)
SELECT CASE WHEN i % 5 = 0
    THEN printf('%x:%x:%x:%x:%x:%x:%x:%x',
      (8192 | (hi >> 48))::INTEGER, ((hi >> 32) & 65535)::INTEGER, ((hi >> 16) & 65535)::INTEGER, (hi & 65535)::INTEGER,
      (lo >> 48)::INTEGER, ((lo >> 32) & 65535)::INTEGER, ((lo >> 16) & 65535)::INTEGER, (lo & 65535)::INTEGER)
    ELSE concat_ws('.', (v4 >> 24)::INTEGER, ((v4 >> 16) & 255)::INTEGER, ((v4 >> 8) & 255)::INTEGER, (v4 & 255)::INTEGER)
  END AS ip
FROM mixed`;

export async function benchGeo(rows: number): Promise<GeoBenchResult> {
  const db = await Database.open(':memory:');
  try {
    const source = bundledGeoSource();
    await loadGeoRanges(db, source);
    await db.run(ADDRESSES_SQL, { rows, seed: SEED });
    const started = performance.now();
    await lookUp(db, source); // the ranges are loaded already: parse, special blocks, ASOF join

    const seconds = (performance.now() - started) / 1000;
    return { name: 'geo: resolve distinct client_ip in DuckDB (bundled database)', rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    db.close();
  }
}
