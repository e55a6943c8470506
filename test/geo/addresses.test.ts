/**
 * IP address text to key, in SQL (queries/geo/macros.sql), and the special-purpose
 * blocks (queries/geo/special-ranges.sql). No geo database is needed for either.
 */
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { resolveAddresses } from '../../src/geo/ranges.js';
import { memoryDb } from '../helpers.js';

const IPV4_BASE = 0xffff00000000n;

/** The keys SQL computed, as exact decimal text (a key does not fit a JS number). */
async function keysOf(db: Database, addresses: string[]): Promise<Map<string, bigint | null>> {
  await resolveAddresses(db, null, addresses);
  const rows = await db.all<{ ip: string; key: string | null }>('SELECT ip, ip_key::VARCHAR AS key FROM geo_lookup_result');
  return new Map(rows.map((row) => [row.ip, row.key === null ? null : BigInt(row.key)]));
}

function v6(text: string): bigint {
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((key, group) => (key << 16n) | BigInt(`0x${group}`), 0n);
}

describe('IP address keys', () => {
  it('reads IPv4 as the IPv4-mapped IPv6 key, and IPv6 in every spelling', async () => {
    const db = await memoryDb();
    const keys = await keysOf(db, [
      '0.0.0.0',
      '1.2.3.4',
      ' 1.2.3.4 ',
      '255.255.255.255',
      '::ffff:1.2.3.4',
      '::FFFF:0102:0304',
      '::',
      '::1',
      '1::',
      '2001:db8::1',
      '2001:DB8:0:0:0:0:0:1',
      '2001:0db8:0000:0000:0000:0000:0000:0001',
      '1:2:3:4:5:6:7::',
      '::2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8',
      '64:ff9b::192.0.2.33',
      'fe80::1%eth0',
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]);
    expect(keys.get('0.0.0.0')).toBe(IPV4_BASE);
    expect(keys.get('1.2.3.4')).toBe(IPV4_BASE + 0x01020304n);
    expect(keys.get(' 1.2.3.4 ')).toBe(IPV4_BASE + 0x01020304n);
    expect(keys.get('255.255.255.255')).toBe(IPV4_BASE + 0xffffffffn);
    expect(keys.get('::ffff:1.2.3.4')).toBe(IPV4_BASE + 0x01020304n);
    expect(keys.get('::FFFF:0102:0304')).toBe(IPV4_BASE + 0x01020304n);
    expect(keys.get('::')).toBe(0n);
    expect(keys.get('::1')).toBe(1n);
    expect(keys.get('1::')).toBe(1n << 112n);
    for (const same of ['2001:db8::1', '2001:DB8:0:0:0:0:0:1', '2001:0db8:0000:0000:0000:0000:0000:0001']) expect(keys.get(same)).toBe(v6('2001:db8::1'));
    expect(keys.get('1:2:3:4:5:6:7::')).toBe(v6('1:2:3:4:5:6:7:0'));
    expect(keys.get('::2:3:4:5:6:7:8')).toBe(v6('0:2:3:4:5:6:7:8'));
    expect(keys.get('1:2:3:4:5:6:7:8')).toBe(v6('1:2:3:4:5:6:7:8'));
    expect(keys.get('64:ff9b::192.0.2.33')).toBe(v6('64:ff9b::c000:221'));
    expect(keys.get('fe80::1%eth0')).toBe(v6('fe80::1'));
    expect(keys.get('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe((1n << 128n) - 1n);
  });

  it('keeps every string that is not an address as invalid, without failing', async () => {
    const db = await memoryDb();
    const invalid = [
      '',
      ' ',
      'nope',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.-4',
      '0x01020304',
      '16909060',
      '1.2.3.4:80',
      '1.2.3.4/24',
      '1.2.3.4%eth0',
      '[::1]',
      '2001:db8::/32',
      '1::2::3',
      ':::',
      ':1::2',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7:8::',
      '::1:2:3:4:5:6:7:8',
      '12345::',
      'g::1',
      '::ffff:256.1.1.1',
      '1.2.3.4::',
      '::1.2.3',
      '١.٢.٣.٤',
      'x'.repeat(5000),
      "1.2.3.4'; DROP TABLE connections; --",
    ];
    const results = await resolveAddresses(db, null, invalid);
    for (const text of invalid) expect(results.get(text), JSON.stringify(text.slice(0, 40))).toEqual({ country: null, status: 'invalid' });
  });

  it('gives special-purpose blocks their reason, at both ends, and nothing outside them', async () => {
    const db = await memoryDb();
    const cases: [string, string][] = [
      ['0.0.0.0', 'unspecified'],
      ['10.0.0.0', 'private'],
      ['10.255.255.255', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.0', 'cgnat'],
      ['100.127.255.255', 'cgnat'],
      ['127.0.0.1', 'loopback'],
      ['169.254.10.20', 'link-local'],
      ['192.0.2.1', 'documentation'],
      ['198.51.100.255', 'documentation'],
      ['203.0.113.7', 'documentation'],
      ['198.18.0.1', 'benchmarking'],
      ['224.0.0.251', 'multicast'],
      ['239.255.255.255', 'multicast'],
      ['240.0.0.1', 'reserved'],
      ['255.255.255.255', 'reserved'],
      ['::ffff:192.168.0.1', 'private'],
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['::2', 'reserved'],
      ['fc00::1', 'private'],
      ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
      ['fe80::1', 'link-local'],
      ['2001:db8::', 'documentation'],
      ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
      ['3fff::1', 'documentation'],
      ['ff02::1', 'multicast'],
      // Just outside a block: an ordinary address, not looked up without a database.
      ['9.255.255.255', 'not-looked-up'],
      ['11.0.0.0', 'not-looked-up'],
      ['172.15.255.255', 'not-looked-up'],
      ['172.32.0.0', 'not-looked-up'],
      ['100.63.255.255', 'not-looked-up'],
      ['100.128.0.0', 'not-looked-up'],
      ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', 'not-looked-up'],
      ['2001:db9::', 'not-looked-up'],
      ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'not-looked-up'],
    ];
    const results = await resolveAddresses(
      db,
      null,
      cases.map(([ip]) => ip),
    );
    expect(cases.map(([ip]) => [ip, results.get(ip)?.status])).toEqual(cases);
    for (const [ip] of cases) expect(results.get(ip)?.country).toBeNull();
  });

  it('lists special-purpose blocks that do not overlap, so one ASOF join finds the right one', async () => {
    const db = await memoryDb();
    await resolveAddresses(db, null, []);
    const overlaps = await db.all(
      'SELECT block FROM (SELECT block, range_start, lag(range_end) OVER (ORDER BY range_start) AS previous_end FROM geo_special_ranges) WHERE previous_end >= range_start',
    );
    expect(overlaps).toEqual([]);
    const empty = await db.all('SELECT block FROM geo_special_ranges WHERE range_start IS NULL OR range_end IS NULL OR range_start > range_end');
    expect(empty).toEqual([]);
  });
});
