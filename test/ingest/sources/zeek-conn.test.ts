/**
 * zeek-conn on Zeek's own documented conn.log records (test/fixtures/sources/README.md):
 * the ASCII writer's TSV with its header directives, and the JSON writer's lines.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { memoryDb, tempDir, writeFile } from '../../helpers.js';
import { attempt, copyFixture, countsOf, expectCountsAddUp, fixtureText, ingestSources, registry, resultFor, storedAttempts, storedRejects, writeText } from './support.js';

/** A Zeek conn.log attempt: session uid, datacenter and dc_ip the responder, client the originator. */
const conn = (line: number, ts: string, uid: string, orig: string, resp: string, outcome: string) =>
  attempt({ ts, session_id: uid, dc_id: resp, dc_ip: resp, outcome, client_ip: orig, line_no: line });

describe('zeek-conn, TSV', () => {
  it('reads the TLS-decryption doc example (pre-7.1 columns): header directives are framing, "-" fields are unset', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const summary = await ingestSources(db, [copyFixture(dir, 'zeek-conn-tls-decryption-doc.tsv.log', 'conn.log')], dir, { source: 'zeek-conn' });
    const result = resultFor(summary, 'conn.log');
    expect(countsOf(result)).toEqual({ source: 'zeek-conn', status: 'loaded', read: 1, loaded: 1, duplicates: 0, rejected: 0 });
    // Lines 1-8 are #separator ... #types, line 10 is #close.
    expect(result.note).toBe('read as zeek-conn: 1 record; 9 header or comment lines');
    expect(await storedAttempts(db, 'conn.log')).toEqual([
      conn(9, '2022-03-01T16:03:58.631834Z', 'CTy5Us4OUaTOcyrPvc', '192.168.20.12', '193.99.144.85', 'connected'),
    ]);
    expect(await storedRejects(db, 'conn.log')).toEqual([]);
    await expectCountsAddUp(db);
  });

  it('reads a file of two header blocks (a 21-column log, then a 22-column one), each #fields line naming the columns after it', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const summary = await ingestSources(db, [copyFixture(dir, 'zeek-conn-two-header-blocks-adapted.tsv.log', 'conn.log')], dir, { source: 'zeek-conn' });
    const result = resultFor(summary, 'conn.log');
    expect(countsOf(result)).toEqual({ source: 'zeek-conn', status: 'loaded', read: 3, loaded: 3, duplicates: 0, rejected: 0 });
    expect(result.note).toBe('read as zeek-conn: 3 records; 18 header or comment lines');
    expect(await storedAttempts(db, 'conn.log')).toEqual([
      conn(9, '2022-03-01T16:03:58.631834Z', 'CTy5Us4OUaTOcyrPvc', '192.168.20.12', '193.99.144.85', 'connected'),
      conn(19, '2025-05-13T14:47:27.668533Z', 'CgnovV3tXhiyU385S', '192.168.1.8', '192.0.78.212', 'connected'),
      conn(20, '2025-05-13T14:47:34.275660Z', 'Cr9BdR12amVJ5y2dE9', '192.168.1.8', '192.0.78.150', 'connected'),
    ]);
    await expectCountsAddUp(db);
  });

  it('rejects the teredo baseline record by record (its timestamps are masked by the test canonifier); a corrected definition replaces that reading', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const summary = await ingestSources(db, [copyFixture(dir, 'zeek-conn-teredo-baseline.tsv.log', 'conn.log')], dir, { source: 'zeek-conn' });
    expect(countsOf(resultFor(summary, 'conn.log'))).toEqual({ source: 'zeek-conn', status: 'loaded', read: 21, loaded: 0, duplicates: 0, rejected: 21 });
    expect(await storedRejects(db, 'conn.log')).toEqual(
      Array.from({ length: 21 }, (_, i) => ({ line: 9 + i, part: 0, reason: 'ts: "XXXXXXXXXX.XXXXXX" is not epoch seconds' })),
    );
    await expectCountsAddUp(db);
    // Read the same way again, it stays as it is; read by a corrected definition, the new reading replaces the old.
    expect(resultFor(await ingestSources(db, [`${dir}/conn.log`], dir, { source: 'zeek-conn' }), 'conn.log').status).toBe('already-ingested');
    const builtIn = readFileSync(resolve(import.meta.dirname, '../../../sources/zeek-conn.yaml'), 'utf8');
    expect(builtIn).toContain('  ts: { epoch: ts, unit: s }\n');
    writeText(dir, 'zeek-masked.yaml', builtIn.replace('source: zeek-conn', 'source: zeek-masked').replace('  ts: { epoch: ts, unit: s }\n', '  ts: { value: "2012-03-16T13:20:00Z" }\n'));
    const corrected = await ingestSources(db, [`${dir}/conn.log`], dir, { source: 'zeek-masked.yaml' });
    expect(countsOf(resultFor(corrected, 'conn.log'))).toEqual({ source: 'zeek-masked', status: 'loaded', read: 21, loaded: 21, duplicates: 0, rejected: 0 });
    expect(resultFor(corrected, 'conn.log').note).toContain('replaces the earlier reading of conn.log');
    expect(await registry(db)).toEqual([{ path: 'conn.log', source: 'zeek-masked', lines_read: 21, loaded: 21, duplicates: 0, rejected: 0 }]);
    expect(await storedRejects(db, 'conn.log')).toEqual([]);
    await expectCountsAddUp(db);
  });

  it('maps every conn_state of the teredo baseline (timestamps put back: 1331904000 + the line in microseconds), IPv6 and "-" fields included', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const lines = fixtureText('zeek-conn-teredo-baseline.tsv.log').split('\n');
    const restored = lines.map((line, i) => line.replace(/^XXXXXXXXXX\.XXXXXX\t/, `1331904000.${String(i + 1).padStart(6, '0')}\t`)).join('\n');
    writeText(dir, 'conn.log', restored);
    const summary = await ingestSources(db, [`${dir}/conn.log`], dir, { source: 'zeek-conn' });
    expect(countsOf(resultFor(summary, 'conn.log'))).toEqual({ source: 'zeek-conn', status: 'loaded', read: 21, loaded: 21, duplicates: 0, rejected: 0 });
    const at = (line: number) => `2012-03-16T13:20:00.${String(line).padStart(6, '0')}Z`;
    const v6 = '2001:0:4137:9e50:8000:f12a:b9c8:2815';
    expect(await storedAttempts(db, 'conn.log')).toEqual([
      conn(9, at(9), 'ClEkJM2Vm5giqnMf4h', '192.168.2.16', '75.126.130.163', 'error'), // SHR
      conn(10, at(10), 'C4J4Th3PJpwUYZZ6gc', '192.168.2.16', '75.126.203.78', 'error'), // SHR
      conn(11, at(11), 'C37jN32gN3y3AZzyf6', '192.168.2.16', '75.126.203.78', 'timeout'), // SH
      conn(12, at(12), 'CwjjYJ2WqgTbAqiHl6', '192.168.2.16', '75.126.130.163', 'error'), // OTH
      conn(13, at(13), 'C3eiCBGOLw3VtHfOj', '192.168.2.16', '75.126.203.78', 'connected'), // RSTO
      conn(14, at(14), 'C0LAHyvtKSQHyJxIl', '192.168.2.16', '192.168.2.1', 'connected'), // SF
      conn(15, at(15), 'CFLRIC3zaTU1loLGxh', '192.168.2.16', '192.168.2.255', 'timeout'), // S0
      conn(16, at(16), 'CtxTCR2Yer0FR1tIBg', '192.168.2.16', '192.168.2.1', 'connected'), // SF
      conn(17, at(17), 'C9rXSW3KSpTYvPrlI1', '0.0.0.0', '255.255.255.255', 'timeout'), // S0
      conn(18, at(18), 'CtPZjS20MLrsMUOJi2', '192.168.2.16', '65.55.158.80', 'connected'), // SF
      conn(19, at(19), 'CmES5u32sYpV7JYN', '192.168.2.16', '65.55.158.81', 'error'), // SHR
      conn(20, at(20), 'CpmdRlaUoJLN3uIRa', '192.168.2.16', '67.228.110.120', 'connected'), // SF
      conn(21, at(21), 'CykQaM33ztNt0csB9a', '192.168.2.16', '75.126.130.163', 'error'), // RSTRH
      conn(22, at(22), 'C7fIlMZDuRiqjpYbb', '192.168.2.16', '75.126.203.78', 'error'), // RSTRH
      conn(23, at(23), 'C1Xkzz2MaGtLrc1Tla', '192.168.2.16', '75.126.203.78', 'error'), // RSTRH
      conn(24, at(24), 'Ck51lg1bScffFj34Ri', '192.168.2.16', '83.170.1.38', 'connected'), // SF
      conn(25, at(25), 'CHhAvVGS1DHFjwGM9', '192.168.2.16', '192.168.2.255', 'timeout'), // S0
      conn(26, at(26), 'C9mvWx3ezztgzcexV7', v6, '2001:4860:0:2001::68', 'error'), // OTH (ICMPv6)
      conn(27, at(27), 'CNnMIj2QSd84NKf7U3', v6, '2001:4860:0:2001::68', 'connected'), // S1
      conn(28, at(28), 'CP5puj4I8PtEU4qzYg', 'fe80::8000:f227:bec8:61af', 'fe80::8000:ffff:ffff:fffd', 'error'), // OTH
      conn(29, at(29), 'CUM0KZ3MLUfNB0cl11', 'fe80::8000:ffff:ffff:fffd', 'ff02::2', 'error'), // OTH
    ]);
    await expectCountsAddUp(db);
  });

  it('an unset (-) conn_state, a declared #unset_field, a short record and a record before any #fields line are rejects naming why', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const tls = fixtureText('zeek-conn-tls-decryption-doc.tsv.log').split('\n');
    const record = tls[8]!.split('\t');
    const withState = (state: string, uid: string) => [record[0], uid, ...record.slice(2, 11), state, ...record.slice(12)].join('\t');
    const text = [
      withState('-', 'Cunset1'), // line 1: before any header
      ...tls.slice(0, 3), // lines 2-4: #separator, #set_separator, #empty_field
      '#unset_field\tNONE', // line 5: this file's unset marker
      ...tls.slice(4, 8), // lines 6-9: #path ... #types
      withState('NONE', 'Cunset2'), // line 10: conn_state unset by the declared marker
      withState('REJ', 'Crej'), // line 11: loads, refused
      record.slice(0, 20).join('\t'), // line 12: one field short
      '', // line 13: blank
      withState('-', 'Cdash'), // line 14: "-" is no longer the unset marker: an outcome the map does not list
      '',
    ].join('\n');
    writeText(dir, 'conn.log', text);
    const summary = await ingestSources(db, [`${dir}/conn.log`], dir, { source: 'zeek-conn' });
    expect(countsOf(resultFor(summary, 'conn.log'))).toEqual({ source: 'zeek-conn', status: 'loaded', read: 6, loaded: 1, duplicates: 0, rejected: 5 });
    expect(await storedAttempts(db, 'conn.log')).toEqual([conn(11, '2022-03-01T16:03:58.631834Z', 'Crej', '192.168.20.12', '193.99.144.85', 'refused')]);
    expect(await storedRejects(db, 'conn.log')).toEqual([
      { line: 1, part: 0, reason: 'a record before the #fields header line' },
      { line: 10, part: 0, reason: 'missing required field "outcome"' },
      { line: 12, part: 0, reason: 'expected 21 fields as in the #fields header, found 20' },
      { line: 13, part: 0, reason: 'blank line' },
      { line: 14, part: 0, reason: 'outcome: "-" is not one of connected, timeout, refused, error' },
    ]);
    await expectCountsAddUp(db);
  });

  it('a gzip-compressed conn.log.gz stores what the plain file does', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    writeFile(dir, 'conn.00:00:00-01:00:00.log.gz', gzipSync(Buffer.from(fixtureText('zeek-conn-tutorial-adapted.tsv.log'))));
    const summary = await ingestSources(db, [`${dir}/conn.00:00:00-01:00:00.log.gz`], dir, { source: 'zeek-conn' });
    expect(countsOf(resultFor(summary, 'conn.00:00:00-01:00:00.log.gz'))).toEqual({ source: 'zeek-conn', status: 'loaded', read: 2, loaded: 2, duplicates: 0, rejected: 0 });
    expect(await storedAttempts(db, 'conn.00:00:00-01:00:00.log.gz')).toEqual([
      conn(9, '2025-05-13T14:47:27.668533Z', 'CgnovV3tXhiyU385S', '192.168.1.8', '192.0.78.212', 'connected'),
      conn(10, '2025-05-13T14:47:34.275660Z', 'Cr9BdR12amVJ5y2dE9', '192.168.1.8', '192.0.78.150', 'connected'),
    ]);
  });
});

describe('zeek-conn, JSON', () => {
  it('reads the JSON records of Zeek\'s docs: dotted keys, epoch and ISO-8601 ts, absent optional fields', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const summary = await ingestSources(db, [copyFixture(dir, 'zeek-conn-docs.json.log', 'conn.log')], dir, { source: 'zeek-conn' });
    const result = resultFor(summary, 'conn.log');
    expect(countsOf(result)).toEqual({ source: 'zeek-conn', status: 'loaded', read: 8, loaded: 8, duplicates: 0, rejected: 0 });
    expect(result.note).toBe('read as zeek-conn: 8 records');
    expect(await storedAttempts(db, 'conn.log')).toEqual([
      conn(1, '2020-06-05T14:39:59.305988Z', 'CMdzit1AMNsmfAIiQc', '192.168.4.76', '192.168.4.1', 'connected'), // SF (dns)
      conn(2, '2020-06-05T14:39:59.430166Z', 'C5bLoe2Mvxqhawzqqd', '192.168.4.76', '31.3.245.133', 'connected'), // SF (http)
      conn(3, '2004-10-21T12:20:14.420459Z', 'C9EV8R4fN8bfSj08f', '192.168.170.2', '224.0.0.6', 'error'), // OTH (OSPF), no service key
      conn(4, '2020-12-03T15:31:33.558305Z', 'CDsHGC2ZJuJh10XNbk', '192.168.4.142', '195.154.200.232', 'connected'), // RSTO
      conn(5, '2020-12-03T15:26:13.307125Z', 'CxLRXG3BJ8KYCW6flg', '192.168.4.142', '185.30.166.38', 'connected'), // RSTR, no ip_proto
      conn(6, '2020-10-02T04:14:14.443346Z', 'COoA8M1gbTowuPlVT', '0.0.0.0', '255.255.255.255', 'timeout'), // S0, ISO-8601 ts
      conn(7, '2020-10-02T04:14:39.120138Z', 'CapFoX32zVg3R6TATc', '192.168.4.152', '192.168.4.1', 'error'), // SHR, ISO-8601 ts
      conn(8, '2013-03-07T21:42:06.869344Z', 'CJKFoj4bpHEhTeaRoj', '141.142.228.5', '192.150.187.43', 'error'), // OTH
    ]);
    await expectCountsAddUp(db);
  });

  it('a JSON record without conn_state (it is optional), with JSON::TS_MILLIS timestamps or not JSON is a reject', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const [first, second, third] = fixtureText('zeek-conn-docs.json.log').split('\n').map((l) => (l === '' ? null : (JSON.parse(l) as Record<string, unknown>)));
    const { conn_state: _dropped, ...stateless } = first!;
    writeText(dir, 'conn.log', [JSON.stringify(stateless), JSON.stringify({ ...second!, ts: 1591367999430 }), '{"ts":1591367999.305988,"uid":', JSON.stringify(third), ''].join('\n'));
    const summary = await ingestSources(db, [`${dir}/conn.log`], dir, { source: 'zeek-conn' });
    expect(countsOf(resultFor(summary, 'conn.log'))).toEqual({ source: 'zeek-conn', status: 'loaded', read: 4, loaded: 1, duplicates: 0, rejected: 3 });
    expect(await storedAttempts(db, 'conn.log')).toEqual([conn(4, '2004-10-21T12:20:14.420459Z', 'C9EV8R4fN8bfSj08f', '192.168.170.2', '224.0.0.6', 'error')]);
    expect(await storedRejects(db, 'conn.log')).toEqual([
      { line: 1, part: 0, reason: 'missing required field "outcome"' },
      // 1591367999430 read as seconds is the year 52400: past any four-digit year.
      { line: 2, part: 0, reason: 'ts: "1591367999430" is not epoch seconds' },
      { line: 3, part: 0, reason: 'not valid JSON' },
    ]);
    await expectCountsAddUp(db);
  });
});
