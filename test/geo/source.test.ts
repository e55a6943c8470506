/**
 * `--geo FILE`: the user's own range CSVs, how they load, how a bad one is
 * reported, and the flags on the CLI.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { InputError, UserError } from '../../src/errors.js';
import { loadGeoRanges, resolveAddresses } from '../../src/geo/ranges.js';
import { fileGeoSource, geoSourceFor } from '../../src/geo/source.js';
import { jsonl, memoryDb, recordingIo, tempDir, writeFile } from '../helpers.js';

const EXAMPLE_POLICY = resolve(import.meta.dirname, '../fixtures/policies/example.yaml');

function geoFile(lines: string[]): { dir: string; file: string } {
  const dir = tempDir();
  return { dir, file: writeFile(dir, 'ranges.csv', lines.join('\n') + '\n') };
}

describe('a range CSV given with --geo', () => {
  it('takes numbers or addresses, a header, IPv6, and nested ranges resolved to the most specific', async () => {
    const { dir, file } = geoFile([
      'ip_range_start,ip_range_end,country_code',
      '20.0.0.0,20.0.255.255,US',
      '20.0.1.0,20.0.1.255,CA',
      '20.0.1.128,20.0.1.131,MX',
      '"20.0.2.0","20.0.2.255","br"',
      '335545088,335545343,AR', // 20.0.3.0-20.0.3.255
      '20.0.3.0,20.0.3.15,CL', // same start: the narrower wins where both hold
      '2a00::,2a00:0:ffff:ffff:ffff:ffff:ffff:ffff,FR',
      '55832768119825001489588427028103692288,55832768119825001489588427028103692543,SE', // 2a01:: to 2a01::ff
    ]);
    const source = fileGeoSource([file], dir);
    expect(source.version).toMatch(/^sha256:[0-9a-f]{16}$/);
    const db = await memoryDb();
    expect(await loadGeoRanges(db, source)).toEqual({ ranges: expect.any(Number) });
    const expected: [string, string | null][] = [
      ['20.0.0.0', 'US'],
      ['20.0.0.255', 'US'],
      ['20.0.1.0', 'CA'],
      ['20.0.1.127', 'CA'],
      ['20.0.1.128', 'MX'],
      ['20.0.1.131', 'MX'],
      ['20.0.1.132', 'CA'],
      ['20.0.1.255', 'CA'],
      ['20.0.2.0', 'BR'],
      ['20.0.3.0', 'CL'],
      ['20.0.3.15', 'CL'],
      ['20.0.3.16', 'AR'],
      ['20.0.4.0', 'US'],
      ['20.0.255.255', 'US'],
      ['20.1.0.0', null],
      ['19.255.255.255', null],
      ['2a00::1', 'FR'],
      ['2a01::ff', 'SE'],
      ['2a01::100', null],
    ];
    const results = await resolveAddresses(
      db,
      source,
      expected.map(([ip]) => ip),
    );
    expect(expected.map(([ip]) => [ip, results.get(ip)?.country ?? null])).toEqual(expected);
  });

  it('names the file and row of a bad range, and refuses the whole file', async () => {
    const cases: [string[], RegExp][] = [
      [['1.0.0.0,1.0.0.255,US', '2.0.0.0,2.0.0.255,USA'], /ranges\.csv: row 2: country "USA" is not an ISO-3166 alpha-2 code/],
      [['1.0.0.0,1.0.0.255,US', '1.2.3,2.0.0.255,DE'], /row 2: first address "1\.2\.3" is neither a number nor an IP address/],
      [['1.0.0.0,1.0.0.255,US', '2.0.0.0,,DE'], /row 2: last address missing is neither/],
      [['5.0.0.0,4.0.0.0,US'], /row 1: the first address is after the last/],
      [['1.0.0.0,2001:db8::1,US'], /row 1: first and last address are of different families/],
      [['4294967290,4294967300,US'], /row 1: first and last address are of different families/],
      [['1.0.0.0,1.0.0.255,US,extra'], /ranges\.csv: not a range CSV/],
      [['1.0.0.0,1.0.0.255,US', '2.0.0.0,2.0.0.255,XXX', '3.0.0.0,3.0.0.255,YYY'], /row 2: .* \(and more rows: row 3\)/],
      [[], /ranges\.csv: no ranges in it: expected rows of first,last,country/],
    ];
    for (const [lines, message] of cases) {
      const { dir, file } = geoFile(lines);
      const db = await memoryDb();
      const error = await loadGeoRanges(db, fileGeoSource([file], dir)).catch((e: unknown) => e);
      expect(error, lines.join(' / ')).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('is chosen by the flag: the bundled database by default, none with --no-geo, a missing file a user error', () => {
    const dir = tempDir();
    expect(geoSourceFor(undefined, dir)?.source).toBe('@ip-location-db/geo-whois-asn-country');
    expect(geoSourceFor([], dir)?.source).toBe('@ip-location-db/geo-whois-asn-country');
    expect(geoSourceFor(false, dir)).toBeNull();
    expect(() => geoSourceFor(['missing.csv'], dir)).toThrow(UserError);
    expect(() => geoSourceFor(['missing.csv'], dir)).toThrow('cannot read the geo database missing.csv: no such file');
    const a = writeFile(dir, 'a.csv', '1.0.0.0,1.0.0.255,US\n');
    const b = writeFile(dir, 'b.csv', '1.0.0.0,1.0.0.255,DE\n');
    expect(geoSourceFor(['a.csv'], dir)?.version).not.toBe(geoSourceFor(['b.csv'], dir)?.version);
    expect(geoSourceFor(['a.csv', 'b.csv'], dir)).toMatchObject({ source: 'a.csv, b.csv', files: [a, b] });
  });
});

describe('routeaudit audit --geo / --no-geo', () => {
  async function run(args: string[]) {
    const dir = tempDir();
    writeFile(
      dir,
      'logs/a.jsonl',
      jsonl([
        { ts: '2020-04-01T08:00:00Z', session_id: 'vpn', dc_id: 'eu-ams1', outcome: 'connected', client_country: 'DE', client_ip: '20.0.0.1' },
        { ts: '2020-04-01T08:05:00Z', session_id: 'ip-only', dc_id: 'us-sjc1', outcome: 'connected', client_ip: '20.0.0.2' },
      ]),
    );
    writeFile(dir, 'ranges.csv', '20.0.0.0,20.0.0.255,US\n');
    writeFile(dir, 'broken.csv', '21.0.0.0,21.0.0.255,DE\n21.0.1.255,21.0.1.0,DE\n');
    const io = recordingIo(dir);
    const code = await runCli(['audit', '--logs', 'logs', '--policy', EXAMPLE_POLICY, '--no-reports', '--fail-on', 'none', ...args], io);
    return { code, out: io.out.join(''), err: io.err.join('') };
  }

  it('uses the given file, names it in the summary, and places and checks sessions by address', async () => {
    const { out } = await run(['--geo', 'ranges.csv']);
    expect(out).toContain('country-mismatch: 1 session declared a country other than their address\'s (DE->US 1)');
    expect(out).toMatch(/client addresses: 1 session placed by client_ip, 0 with an address that gave no country; geo ranges\.csv sha256:[0-9a-f]{16}/);
    expect(out).toMatch(/sessions audited: 2 \(EU 1, US 1\)/);
  });

  it('looks nothing up with --no-geo', async () => {
    const { out } = await run(['--no-geo']);
    expect(out).toContain('no geo database (--no-geo)');
    expect(out).toMatch(/sessions audited: 2 \(EU 1, unknown 1\)/);
  });

  it('stops with exit code 2 and the file and row of a broken range file, or a missing one', async () => {
    const broken = await run(['--geo', 'ranges.csv', '--geo', 'broken.csv']);
    expect(broken.code).toBe(2);
    expect(broken.err).toBe('routeaudit: broken.csv: row 2: the first address is after the last\n');
    const dir = tempDir();
    const missing = await run(['--geo', join(dir, 'missing.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read the geo database');
  });
});
