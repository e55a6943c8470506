/**
 * A source definition of one's own (--source FILE.yaml): a semicolon CSV with a date column and a
 * 12-hour time column in local time, a value map and a constant (test/fixtures/sources/test-proxy.yaml);
 * time zones across daylight-saving changes, fixed dates only; and definitions with problems.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli.js';
import { SourceError } from '../../../src/errors.js';
import { resolveSourceChoice } from '../../../src/ingest/sources/catalog.js';
import { loadSourceSpec } from '../../../src/ingest/sources/spec.js';
import { memoryDb, recordingIo, tempDir } from '../../helpers.js';
import { FIXTURES, attempt, copyFixture, countsOf, expectCountsAddUp, fixtureText, ingestSources, registry, resultFor, storedAttempts, storedRejects, writeText } from './support.js';

const CSV = 'proxy-nyc-20200308.csv';

/** A folder holding the definition and the export, as a user has them. */
function proxyFolder(): string {
  const dir = tempDir();
  copyFixture(dir, 'test-proxy.yaml');
  copyFixture(dir, CSV);
  return dir;
}

/** A proxy attempt of the fixture: site nyc (from the file name), upstream zoom-sjc at 203.0.113.7 unless said otherwise. */
const proxy = (line: number, ts: string, conn: string, fields: Partial<Parameters<typeof attempt>[0]> = {}) =>
  attempt({
    ts,
    session_id: `nyc/${conn}`,
    dc_id: 'zoom-sjc.example.net',
    dc_ip: '203.0.113.7',
    outcome: 'connected',
    client_ip: '10.1.2.3',
    user_id: 'alice',
    line_no: line,
    ...fields,
  });

/** What test-proxy.yaml stores for the fixture in America/New_York: EST (-05:00) until 8 March 2020 02:00, EDT (-04:00) until 1 November 02:00. */
const NEW_YORK = [
  proxy(3, '2020-03-07T14:00:00.000000Z', 'c-1001'),
  // "12:15:00 AM" is a quarter past midnight; "-" and "n/a" are missing: no user (the workstation then), no address, no latency.
  proxy(4, '2020-03-07T05:15:00.000000Z', 'c-1002', { dc_id: 'zoom-pek.example.net', dc_ip: null, outcome: 'timeout', client_ip: '10.1.2.4', user_id: 'WS-18' }),
  // "12:15:00 PM" is a quarter past noon; a quoted field holds the delimiter and a doubled quote; "denied" maps as DENIED.
  proxy(5, '2020-03-07T17:15:00.000000Z', 'c-1003', { outcome: 'refused', client_ip: '10.1.2.5', user_id: 'o\'brien; "ob"' }),
  proxy(6, '2020-03-08T06:59:59.000000Z', 'c-1004'), // the last second of EST
  proxy(8, '2020-03-08T07:00:00.000000Z', 'c-1006'), // 03:00 EDT, one second of real time after line 6
  proxy(9, '2020-03-09T13:00:00.000000Z', 'c-1007', { dc_id: 'zoom-fra.example.net', dc_ip: '2001:db8::7', outcome: 'error', client_ip: '10.1.2.6', user_id: 'carol' }),
  proxy(10, '2020-11-01T05:30:00.000000Z', 'c-1008'), // 01:30 happens twice: the earlier, EDT
  proxy(11, '2020-11-01T07:30:00.000000Z', 'c-1009'), // 02:30 EST
];
const NEW_YORK_REJECTS = [
  { line: 7, part: 0, reason: 'ts: Date + Time "03/08/2020 02:30:00 AM" is not a time that exists in America/New_York (it falls in a daylight-saving gap)' },
  { line: 12, part: 0, reason: 'outcome: "blocked" is not one of connected, timeout, refused, error' },
  { line: 13, part: 0, reason: 'ts: Date + Time "02/30/2020 10:00:00 AM" is not a time in the format MM/dd/yyyy hh:mm:ss a' },
];

describe('a user-defined source: semicolon CSV, date and time columns, a value map, a constant', () => {
  it('with --timezone America/New_York: loads exactly, across both daylight-saving changes of 2020', async () => {
    const dir = proxyFolder();
    const db = await memoryDb();
    const summary = await ingestSources(db, [join(dir, CSV)], dir, { source: 'test-proxy.yaml', timezone: 'America/New_York' });
    const result = resultFor(summary, CSV);
    expect(countsOf(result)).toEqual({ source: 'test-proxy', status: 'loaded', read: 11, loaded: 8, duplicates: 0, rejected: 3 });
    expect(result.note).toBe('read as test-proxy: 11 records; 2 header or comment lines');
    expect(await storedAttempts(db, CSV)).toEqual(NEW_YORK);
    expect(await storedRejects(db, CSV)).toEqual(NEW_YORK_REJECTS);
    // The constant and the latency column, on every loaded attempt.
    expect(await db.all('SELECT line_no, traffic, latency_ms FROM connections ORDER BY line_no')).toEqual(
      [[3, 120], [4, null], [5, 95], [6, 110], [8, 112], [9, null], [10, 113], [11, 114]].map(([line, latency]) => ({ line_no: line, traffic: 'signaling', latency_ms: latency })),
    );
    expect(await db.all('SELECT source, lacks FROM ingested_files')).toEqual([{ source: 'test-proxy', lacks: ['attempt-sequence'] }]);
    await expectCountsAddUp(db);
  });

  it('without a time zone, the file fails naming the line, the field and --timezone; it is not registered, and the rerun with a zone loads it', async () => {
    const dir = proxyFolder();
    const db = await memoryDb();
    const summary = await ingestSources(db, [join(dir, CSV)], dir, { source: 'test-proxy.yaml' });
    const result = resultFor(summary, CSV);
    expect(countsOf(result)).toEqual({ source: 'test-proxy', status: 'failed', read: 0, loaded: 0, duplicates: 0, rejected: 0 });
    expect(result.note).toBe(
      'line 3: ts from Date + Time "03/07/2020 09:00:00 AM" has no UTC offset, and no time zone was declared: ' +
        'give it with --timezone ZONE (e.g. --timezone America/New_York, or UTC) or timezone: in the source definition',
    );
    expect(await registry(db)).toEqual([]);
    expect(await db.all('SELECT * FROM connections')).toEqual([]);
    const rerun = await ingestSources(db, [join(dir, CSV)], dir, { source: 'test-proxy.yaml', timezone: 'America/New_York' });
    expect(resultFor(rerun, CSV).status).toBe('loaded');
    expect(await storedAttempts(db, CSV)).toEqual(NEW_YORK);
  });

  it('the definition\'s own timezone: is used without --timezone, and --timezone overrides it', async () => {
    const dir = tempDir();
    writeText(dir, 'ny.yaml', fixtureText('test-proxy.yaml').replace('source: test-proxy', 'source: test-proxy\ntimezone: America/New_York'));
    copyFixture(dir, CSV);
    const declared = await memoryDb();
    await ingestSources(declared, [join(dir, CSV)], dir, { source: 'ny.yaml' });
    expect(await storedAttempts(declared, CSV)).toEqual(NEW_YORK);
    const overridden = await memoryDb();
    await ingestSources(overridden, [join(dir, CSV)], dir, { source: 'ny.yaml', timezone: 'UTC' });
    // In UTC every wall-clock time exists and is itself: line 7 loads, and 01:30 is 01:30Z.
    expect((await storedAttempts(overridden, CSV)).map((a) => [a.line_no, a.ts])).toEqual([
      [3, '2020-03-07T09:00:00.000000Z'],
      [4, '2020-03-07T00:15:00.000000Z'],
      [5, '2020-03-07T12:15:00.000000Z'],
      [6, '2020-03-08T01:59:59.000000Z'],
      [7, '2020-03-08T02:30:00.000000Z'],
      [8, '2020-03-08T03:00:00.000000Z'],
      [9, '2020-03-09T09:00:00.000000Z'],
      [10, '2020-11-01T01:30:00.000000Z'],
      [11, '2020-11-01T02:30:00.000000Z'],
    ]);
  });

  it('a file loaded in one zone is already ingested under another --timezone, and under the same one', async () => {
    const dir = proxyFolder();
    const db = await memoryDb();
    await ingestSources(db, [join(dir, CSV)], dir, { source: 'test-proxy.yaml', timezone: 'America/New_York' });
    for (const timezone of ['America/New_York', 'Europe/Berlin']) {
      const again = await ingestSources(db, [join(dir, CSV)], dir, { source: 'test-proxy.yaml', timezone });
      expect([resultFor(again, CSV).status, resultFor(again, CSV).loaded], timezone).toEqual(['already-ingested', 0]);
    }
    expect(await storedAttempts(db, CSV)).toEqual(NEW_YORK);
    await expectCountsAddUp(db);
  });

  it('a file whose every record fell in a daylight-saving gap is read again under another --timezone, replacing that reading', async () => {
    const dir = proxyFolder();
    const lines = fixtureText(CSV).split('\n');
    writeText(dir, 'proxy-nyc-20200309.csv', [lines[0], lines[1], lines[6], ''].join('\n'));
    const db = await memoryDb();
    const first = await ingestSources(db, [join(dir, 'proxy-nyc-20200309.csv')], dir, { source: 'test-proxy.yaml', timezone: 'America/New_York' });
    expect(countsOf(resultFor(first, 'proxy-nyc-20200309.csv'))).toEqual({ source: 'test-proxy', status: 'loaded', read: 1, loaded: 0, duplicates: 0, rejected: 1 });
    const again = await ingestSources(db, [join(dir, 'proxy-nyc-20200309.csv')], dir, { source: 'test-proxy.yaml', timezone: 'UTC' });
    expect(countsOf(resultFor(again, 'proxy-nyc-20200309.csv'))).toEqual({ source: 'test-proxy', status: 'loaded', read: 1, loaded: 1, duplicates: 0, rejected: 0 });
    expect((await storedAttempts(db, 'proxy-nyc-20200309.csv')).map((a) => [a.line_no, a.ts])).toEqual([[3, '2020-03-08T02:30:00.000000Z']]);
    expect(await db.all('SELECT count(*) AS n FROM rejects')).toEqual([{ n: 0 }]);
    await expectCountsAddUp(db);
  });

  it('a time with a UTC offset is that instant whatever zone is declared', async () => {
    const dir = tempDir();
    writeText(
      dir,
      'offset.yaml',
      ['source: offset-proxy', 'format: csv', 'delimiter: semicolon', 'fields:', '  ts: { timestamp: When, format: "yyyy-MM-dd HH:mm:ssXXX" }', '  session_id: Id', '  dc_id: Upstream', '  outcome: { value: connected }', ''].join('\n'),
    );
    writeText(dir, 'proxy.csv', 'When;Id;Upstream\n2020-03-08 02:30:00-05:00;a;x\n2020-11-01 01:30:00-05:00;b;x\n2020-11-01 01:30:00Z;c;x\n');
    const db = await memoryDb();
    const summary = await ingestSources(db, [join(dir, 'proxy.csv')], dir, { source: 'offset.yaml', timezone: 'America/New_York' });
    expect(countsOf(resultFor(summary, 'proxy.csv'))).toEqual({ source: 'offset-proxy', status: 'loaded', read: 3, loaded: 3, duplicates: 0, rejected: 0 });
    expect((await storedAttempts(db, 'proxy.csv')).map((a) => [a.session_id, a.ts])).toEqual([
      ['a', '2020-03-08T07:30:00.000000Z'],
      ['b', '2020-11-01T06:30:00.000000Z'],
      ['c', '2020-11-01T01:30:00.000000Z'],
    ]);
  });

  it('the ingest command reads it with --source FILE.yaml --timezone ZONE and prints the source in the table', async () => {
    const dir = proxyFolder();
    const io = recordingIo(dir);
    expect(await runCli(['ingest', CSV, '--source', 'test-proxy.yaml', '--timezone', 'America/New_York', '--db', ':memory:'], io)).toBe(0);
    expect(io.out.join('')).toMatch(/proxy-nyc-20200308\.csv\s+test-proxy\s+loaded\s+11\s+8\s+0\s+3\s+read as test-proxy: 11 records; 2 header or comment lines/);
  });
});

describe('a definition with problems', () => {
  /** The problems of a definition's text, as the SourceError lists them. */
  function problemsOf(text: string): { path: string; message: string; line?: number }[] {
    try {
      loadSourceSpec('bad.yaml', text, 'sha');
    } catch (error) {
      expect(error).toBeInstanceOf(SourceError);
      return (error as SourceError).problems;
    }
    throw new Error('the definition was accepted');
  }

  const base = fixtureText('test-proxy.yaml');
  const lineOf = (text: string, fragment: string) => text.split('\n').findIndex((l) => l.includes(fragment)) + 1;

  it('an unknown key, at the top or in an expression, is named with its YAML path and line', () => {
    const text = base.replace('comment: "#"', 'commment: "#"').replace('format: "MM/dd/yyyy hh:mm:ss a" }', 'format: "MM/dd/yyyy hh:mm:ss a", zone: UTC }');
    expect(problemsOf(text)).toEqual([
      {
        path: 'commment',
        message: 'unknown key "commment" (expected one of: source, title, documentation, format, delimiter, header, columns, comment, missing, records, recognise, timezone, file_name, lacks, fields, path, reject)',
        line: lineOf(text, 'commment'),
      },
      {
        path: 'fields.ts.zone',
        message: 'unknown key "zone" (expected one of: column, value, first, template, epoch, timestamp, unit, format, map, default)',
        line: lineOf(text, 'zone: UTC'),
      },
    ]);
  });

  it('a bad reader format, and a time format without a day, are named with their path and line', () => {
    const text = base.replace('format: csv', 'format: tsv').replace('"MM/dd/yyyy hh:mm:ss a"', '"MM/yyyy hh:mm:ss a"');
    expect(problemsOf(text)).toEqual([
      { path: 'format', message: '"tsv" is not one of jsonl, json, csv, zeek', line: lineOf(text, 'format: tsv') },
      { path: 'fields.ts.format', message: '"MM/yyyy hh:mm:ss a" needs a year (yyyy), a month (MM or M) and a day (dd or d)', line: lineOf(text, 'ts: {') },
    ]);
  });

  it('a missing required field expression is named at the line of the fields map', () => {
    const text = base.replace(/ {2}outcome:\n(?: {4}.*\n)+/, '');
    expect(text).not.toContain('outcome');
    expect(problemsOf(text)).toEqual([{ path: 'fields.outcome', message: 'missing: "outcome" is a required log field', line: lineOf(text, 'fields:') + 1 }]);
  });

  it('--source bad.yaml stops the command with exit code 2 before any file is read, listing every problem', async () => {
    const dir = proxyFolder();
    writeText(dir, 'bad.yaml', base.replace('format: csv', 'format: tsv').replace('delimiter: semicolon', 'delimiter: ";;"'));
    expect(() => resolveSourceChoice('bad.yaml', dir)).toThrow(SourceError);
    const io = recordingIo(dir);
    expect(await runCli(['ingest', CSV, '--source', 'bad.yaml', '--db', 'test.duckdb'], io)).toBe(2);
    expect(io.err.join('')).toContain(
      [
        'bad.yaml: 2 problems in the source definition',
        '  line 6: format: "tsv" is not one of jsonl, json, csv, zeek',
        '  line 7: delimiter: ";;" is not one character (or tab, space, comma, semicolon, pipe), nor a quote or line break',
      ].join('\n'),
    );
    expect(io.out).toEqual([]);
  });

  it('docs/sources.md\'s bad.yaml gives the 13 problems the docs list, each with its line', () => {
    const docs = readFileSync(join(FIXTURES, '../../../docs/sources.md'), 'utf8');
    const yaml = /For this `bad.yaml`:\n\n```yaml\n([\s\S]*?)```/.exec(docs)![1]!;
    const listed = /```\nrouteaudit: bad.yaml: 13 problems in the source definition\n([\s\S]*?)```/.exec(docs)![1]!.trimEnd().split('\n');
    const problems = problemsOf(yaml);
    expect(problems.map((p) => `  line ${p.line}: ${p.path}: ${p.message}`)).toEqual(listed);
  });
});
