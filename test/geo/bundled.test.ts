/**
 * Lookups in the bundled database (@ip-location-db/geo-whois-asn-country).
 * Expected countries come from its own CSV rows, read here, so the test follows
 * the installed version instead of hard-coding what some version said.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { Database as Db } from '../../src/db/database.js';
import { loadGeoRanges, resolveAddresses } from '../../src/geo/ranges.js';
import { BUNDLED_GEO_PACKAGE, bundledGeoSource, type GeoSource } from '../../src/geo/source.js';
import { quoteLiteral } from '../../src/db/sql.js';
import { audit, findingOf } from '../detect/audit-helpers.js';

interface Row {
  first: bigint;
  last: bigint;
  country: string;
}

const source: GeoSource = bundledGeoSource();
const [V4_FILE, V6_FILE] = source.files as [string, string];

function readRows(file: string): Row[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [first = '', last = '', country = ''] = line.split(',');
      return { first: BigInt(first), last: BigInt(last), country };
    });
}

function v4Text(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 255n)).join('.');
}

function v6Groups(n: bigint): string[] {
  return Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
}

/** Full form, upper case: 2001:DB8:0:0:0:0:0:1. */
function v6Full(n: bigint): string {
  return v6Groups(n).join(':').toUpperCase();
}

/** RFC 5952 form: the longest run of two or more zero groups as '::'. */
function v6Short(n: bigint): string {
  const groups = v6Groups(n);
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length) best = { at: i, length: j - i };
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
}

/** Special-purpose IPv4 blocks (first octet), kept out of the picked rows. */
const SPECIAL_V4_OCTETS = new Set([0, 10, 100, 127, 169, 172, 192, 198, 203]);

/**
 * The first row per country with unlisted addresses on both sides (no earlier row
 * reaches it, the next starts later), outside special-purpose space: its first and
 * last addresses are clean boundaries.
 */
function isolatedRows(rows: Row[], countries: string[], outsideSpecial: (row: Row) => boolean): Map<string, Row> {
  const picked = new Map<string, Row>();
  let reach = rows[0]!.last;
  for (let i = 1; i < rows.length - 1; i++) {
    const row = rows[i]!;
    const clear = reach + 1n < row.first && row.last + 1n < rows[i + 1]!.first && row.last - row.first >= 2n;
    if (clear && countries.includes(row.country) && !picked.has(row.country) && outsideSpecial(row)) picked.set(row.country, row);
    if (row.last > reach) reach = row.last;
  }
  return picked;
}

let db: Database;
let v4: Row[];
let v6: Row[];

beforeAll(async () => {
  db = await Db.open(':memory:');
  await loadGeoRanges(db, source);
  v4 = readRows(V4_FILE);
  v6 = readRows(V6_FILE);
  return () => db.close();
});

describe('the bundled geo database', () => {
  it('is the installed package, named with its version and licence', () => {
    const manifest = JSON.parse(readFileSync(new URL(`../../node_modules/${BUNDLED_GEO_PACKAGE}/package.json`, import.meta.url), 'utf8')) as { version: string };
    expect(source.source).toBe(BUNDLED_GEO_PACKAGE);
    expect(source.version).toBe(manifest.version);
    expect(source.licence).toContain('CC0-1.0');
    expect(source.licence).toContain('nro.net');
  });

  it('resolves IPv4 addresses in several countries, at the first and last address of their range and in between', async () => {
    const rows = isolatedRows(v4, ['DE', 'JP', 'BR', 'US', 'AU', 'ZA'], (row) => !SPECIAL_V4_OCTETS.has(Number(row.first >> 24n)) && row.first >> 28n < 14n);
    expect([...rows.keys()].sort()).toEqual(['AU', 'BR', 'DE', 'JP', 'US', 'ZA']);
    const probes = [...rows.values()].flatMap((row) => [
      [v4Text(row.first), row.country],
      [v4Text(row.last), row.country],
      [v4Text((row.first + row.last) / 2n), row.country],
      [`::ffff:${v4Text(row.first)}`, row.country],
      [v4Text(row.first - 1n), null],
      [v4Text(row.last + 1n), null],
    ]);
    const results = await resolveAddresses(
      db,
      source,
      probes.map(([ip]) => ip as string),
    );
    expect(probes.map(([ip]) => [ip, results.get(ip as string)?.country ?? null])).toEqual(probes);
    for (const [ip, country] of probes) expect(results.get(ip as string)?.status).toBe(country === null ? 'not-in-database' : 'resolved');
  });

  it('resolves IPv6 addresses in several countries, full or compressed, at both ends of their range', async () => {
    const rows = isolatedRows(v6, ['FR', 'JP', 'US', 'DE', 'BR'], (row) => row.first >> 112n !== 0x2001n && row.first >> 112n < 0x3fffn);
    expect([...rows.keys()].sort()).toEqual(['BR', 'DE', 'FR', 'JP', 'US']);
    const probes = [...rows.values()].flatMap((row) => [
      [v6Short(row.first), row.country],
      [v6Full(row.last), row.country],
      [v6Short(row.last), row.country],
      [v6Short(row.first - 1n), null],
      [v6Short(row.last + 1n), null],
    ]);
    const results = await resolveAddresses(
      db,
      source,
      probes.map(([ip]) => ip as string),
    );
    expect(probes.map(([ip]) => [ip, results.get(ip as string)?.country ?? null])).toEqual(probes);
  });

  it('resolves nested ranges to the most specific one, exactly as a search of every containing range would', async () => {
    // Every boundary of every overlapping row, checked against the definition: of the
    // raw rows containing the address, the one that starts last, the narrowest on ties.
    await db.run(`CREATE OR REPLACE TEMP TABLE raw_ranges AS
      SELECT 281470681743360::UHUGEINT + s AS s, 281470681743360::UHUGEINT + e AS e, c
        FROM read_csv(${quoteLiteral(V4_FILE)}, header = false, columns = {'s': 'UHUGEINT', 'e': 'UHUGEINT', 'c': 'VARCHAR'})
      UNION ALL
      SELECT s, e, c FROM read_csv(${quoteLiteral(V6_FILE)}, header = false, columns = {'s': 'UHUGEINT', 'e': 'UHUGEINT', 'c': 'VARCHAR'})`);
    // A range join over all 550,000 rows is slow for addresses spread over the whole
    // space, so the probes are the first boundaries in the IPv4 and in the IPv6 space.
    for (const [low, high, limit] of [
      [0n, 1n << 48n, 1000],
      [1n << 48n, (1n << 128n) - 1n, 400],
    ] as const) {
      const [check] = await db.all<{ probes: number; listed: number; wrong: number }>(
        `WITH overlapping AS (
          SELECT s, e FROM (SELECT s, e, lead(s) OVER w AS next_s, max(e) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e
                            FROM raw_ranges WINDOW w AS (ORDER BY s, e))
          WHERE next_s <= e OR prev_e >= s
        ),
        probes AS (
          SELECT DISTINCT k FROM (SELECT s AS k FROM overlapping UNION ALL SELECT e FROM overlapping
            UNION ALL SELECT s - 1 FROM overlapping UNION ALL SELECT e + 1 FROM overlapping)
          WHERE k >= $low::UHUGEINT AND k < $high::UHUGEINT ORDER BY k LIMIT $limit
        ),
        expected AS (
          SELECT p.k, first(r.c ORDER BY r.s DESC, r.e) AS c FROM probes p LEFT JOIN raw_ranges r ON r.s <= p.k AND r.e >= p.k GROUP BY p.k
        ),
        actual AS (
          SELECT p.k, CASE WHEN p.k <= g.range_end THEN g.country END AS c FROM probes p ASOF LEFT JOIN geo_ranges g ON p.k >= g.range_start
        )
        SELECT count(*) AS probes, count(e.c) AS listed, count(*) FILTER (WHERE e.c IS DISTINCT FROM a.c) AS wrong FROM expected e JOIN actual a USING (k)`,
        { low: low.toString(), high: high.toString(), limit },
      );
      expect(check).toEqual({ probes: limit, listed: expect.any(Number), wrong: 0 });
      expect(check!.listed).toBeGreaterThan(limit / 2);
    }
    const overlaps = await db.all('SELECT 1 FROM (SELECT range_start, lag(range_end) OVER (ORDER BY range_start) AS previous_end FROM geo_ranges) WHERE previous_end >= range_start');
    expect(overlaps).toEqual([]);
  });

  it('gives documentation and private addresses no country, whatever the database lists for them', async () => {
    const results = await resolveAddresses(db, source, ['198.51.100.7', '203.0.113.9', '10.0.0.1', '2001:db8::1']);
    expect(results.get('198.51.100.7')).toEqual({ country: null, status: 'documentation' });
    expect(results.get('203.0.113.9')).toEqual({ country: null, status: 'documentation' });
    expect(results.get('10.0.0.1')).toEqual({ country: null, status: 'private' });
    expect(results.get('2001:db8::1')).toEqual({ country: null, status: 'documentation' });
  });

  it('places a session that logged an address and no country in the region of the address', async () => {
    const japan = isolatedRows(v4, ['JP'], (row) => !SPECIAL_V4_OCTETS.has(Number(row.first >> 24n))).get('JP')!;
    const report = await audit([{ session: 'tokyo', at: 0, dc: 'jp-nrt9', ip: v4Text(japan.first + 1n) }], { geo: source });
    const finding = findingOf(report, 'unknown-datacenter', 'tokyo');
    expect([finding.clientCountry, finding.countrySource, finding.clientRegion]).toEqual(['JP', 'ip', 'JP-HK']);
    expect(report.run.geo).toEqual({ source: source.source, version: source.version, licence: source.licence });
  });
});
