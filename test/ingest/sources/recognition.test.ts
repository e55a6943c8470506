/**
 * Which source reads a file (docs/sources.md): --source NAME, else recognition by header or
 * first record, ambiguity an error naming the candidates; a .json array read as records; and
 * re-ingesting source files loads nothing.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli.js';
import { UsageError } from '../../../src/errors.js';
import { resolveSourceChoice } from '../../../src/ingest/sources/catalog.js';
import { memoryDb, recordingIo, tempDir } from '../../helpers.js';
import { attempt, copyFixture, countsOf, expectCountsAddUp, fixtureText, ingestSources, registry, resultFor, storedAttempts, storedRejects, writeText } from './support.js';

/** One fixture of each built-in, under the name a user would have, and the source that must read it. */
const RECOGNISED: [fixture: string, as: string, source: string][] = [
  ['zeek-conn-tls-decryption-doc.tsv.log', 'conn.log', 'zeek-conn'],
  ['zeek-conn-docs.json.log', 'conn-json.log', 'zeek-conn'],
  ['vpc-flow-default-v2.log', 'flows-default.log', 'vpc-flow'],
  ['vpc-flow-custom-v5-traffic-path.log', 'flows-v5.log', 'vpc-flow'],
  ['zoom-dashboard-participants-doc-example-2019.json', 'participants-85746065432.json', 'zoom-participants'],
  ['webex-meeting-qualities-adapted.json', 'qualities.json', 'webex-qualities'],
];

describe('recognition without --source', () => {
  it('picks each built-in by its header or first record, and reads what --source would', async () => {
    const dir = tempDir();
    const recognisedDb = await memoryDb();
    const paths = RECOGNISED.map(([fixture, as]) => copyFixture(dir, fixture, as));
    const summary = await ingestSources(recognisedDb, paths, dir);
    expect(RECOGNISED.map(([, as]) => [as, resultFor(summary, as).source, resultFor(summary, as).status])).toEqual(RECOGNISED.map(([, as, source]) => [as, source, 'loaded']));
    expect((await registry(recognisedDb)).map((e) => [e.path, e.source])).toEqual(
      RECOGNISED.map(([, as, source]) => [as, source]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    await expectCountsAddUp(recognisedDb);
    for (const [, as, source] of RECOGNISED) {
      const named = await memoryDb();
      await ingestSources(named, [`${dir}/${as}`], dir, { source });
      expect(await storedAttempts(recognisedDb, as), as).toEqual(await storedAttempts(named, as));
      expect(await storedRejects(recognisedDb, as), as).toEqual(await storedRejects(named, as));
    }
  });

  it('a VPC file without its header line is not recognised (it shows no field names): it is read as the native schema', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    writeText(dir, 'cloudwatch.log', fixtureText('vpc-flow-default-v2.log').split('\n').slice(1).join('\n'));
    const summary = await ingestSources(db, [`${dir}/cloudwatch.log`], dir);
    expect(countsOf(resultFor(summary, 'cloudwatch.log'))).toEqual({ source: 'routeaudit', status: 'loaded', read: 7, loaded: 0, duplicates: 0, rejected: 7 });
    expect(new Set((await storedRejects(db, 'cloudwatch.log')).map((r) => r.reason))).toEqual(new Set(['not valid JSON']));
  });

  // zeek_conn.md: "The separators are configurable (LogAscii::separator ...), so a reader should parse the header lines
  // rather than hard-code them". The reader obeys #separator; recognition (catalog.ts namesIn) splits #fields at tabs only.
  it('a Zeek TSV written with another #separator (LogAscii::separator) is recognised by its #fields line', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const lines = fixtureText('zeek-conn-tutorial-adapted.tsv.log').split('\n');
    writeText(dir, 'conn.log', [lines[0]!.replace('\\x09', '\\x7c'), ...lines.slice(1).map((l) => l.replaceAll('\t', '|'))].join('\n'));
    const named = await ingestSources(await memoryDb(), [`${dir}/conn.log`], dir, { source: 'zeek-conn' });
    expect(countsOf(resultFor(named, 'conn.log'))).toEqual({ source: 'zeek-conn', status: 'loaded', read: 2, loaded: 2, duplicates: 0, rejected: 0 });
    const summary = await ingestSources(db, [`${dir}/conn.log`], dir);
    expect(resultFor(summary, 'conn.log').source).toBe('zeek-conn');
  });

  it('a file two built-ins recognise fails, naming both and --source; the other files of the run load', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const zoom = JSON.parse(fixtureText('zoom-dashboard-participants-doc-example-2022.json')) as { participants: Record<string, unknown>[] };
    const webex = JSON.parse(fixtureText('webex-meeting-qualities-spec-example.json')) as { items: Record<string, unknown>[] };
    writeText(dir, 'both.jsonl', JSON.stringify({ ...zoom.participants[0], ...webex.items[0] }) + '\n');
    const zeek = JSON.parse(fixtureText('zeek-conn-docs.json.log').split('\n')[0]!) as Record<string, unknown>;
    writeText(dir, 'zeek-zoom.jsonl', JSON.stringify({ ...zeek, join_time: '2022-03-01T10:15:14Z', data_center: 'SC' }) + '\n');
    const good = copyFixture(dir, 'zeek-conn-docs.json.log', 'conn.log');
    const summary = await ingestSources(db, [`${dir}/both.jsonl`, `${dir}/zeek-zoom.jsonl`, good], dir);
    expect([resultFor(summary, 'both.jsonl').status, resultFor(summary, 'both.jsonl').note]).toEqual([
      'failed',
      'looks like more than one source (webex-qualities, zoom-participants); say which with --source NAME',
    ]);
    expect([resultFor(summary, 'zeek-zoom.jsonl').status, resultFor(summary, 'zeek-zoom.jsonl').note]).toEqual([
      'failed',
      'looks like more than one source (zeek-conn, zoom-participants); say which with --source NAME',
    ]);
    expect(countsOf(resultFor(summary, 'conn.log'))).toEqual({ source: 'zeek-conn', status: 'loaded', read: 8, loaded: 8, duplicates: 0, rejected: 0 });
    expect((await registry(db)).map((e) => e.path)).toEqual(['conn.log']);
    // Named, the same file loads.
    const named = await ingestSources(db, [`${dir}/both.jsonl`], dir, { source: 'webex-qualities' });
    expect(countsOf(resultFor(named, 'both.jsonl'))).toEqual({ source: 'webex-qualities', status: 'loaded', read: 1, loaded: 1, duplicates: 0, rejected: 0 });
  });

  it('the ingest command exits 2 on an ambiguous file and prints the error naming it', async () => {
    const dir = tempDir();
    writeText(dir, 'logs/amb.jsonl', JSON.stringify({ join_time: '2020-04-01T00:00:00Z', data_center: 'SC', meetingInstanceId: 'm', serverRegion: 'r' }) + '\n');
    const io = recordingIo(dir);
    expect(await runCli(['ingest', 'logs', '--db', ':memory:'], io)).toBe(2);
    expect(io.out.join('')).toContain('error: logs/amb.jsonl: looks like more than one source (webex-qualities, zoom-participants); say which with --source NAME');
  });
});

describe('--source', () => {
  it('--source nope is a usage error listing the source names', async () => {
    const message =
      '--source "nope": not a built-in source (routeaudit, vpc-flow, webex-qualities, zeek-conn, zoom-participants) nor a source definition file (NAME.yaml; docs/sources.md)';
    expect(() => resolveSourceChoice('nope', tempDir())).toThrow(new UsageError(message));
    const dir = tempDir();
    copyFixture(dir, 'zeek-conn-docs.json.log', 'conn.log');
    const io = recordingIo(dir);
    expect(await runCli(['ingest', 'conn.log', '--source', 'nope', '--db', ':memory:'], io)).toBe(2);
    expect(io.err.join('')).toContain(message);
    expect(io.out).toEqual([]);
  });

  it('--source routeaudit reads a recognisable file as the native schema, line by line', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const summary = await ingestSources(db, [copyFixture(dir, 'zeek-conn-tls-decryption-doc.tsv.log', 'conn.log')], dir, { source: 'routeaudit' });
    expect(countsOf(resultFor(summary, 'conn.log'))).toEqual({ source: 'routeaudit', status: 'loaded', read: 10, loaded: 0, duplicates: 0, rejected: 10 });
    expect(new Set((await storedRejects(db, 'conn.log')).map((r) => r.reason))).toEqual(new Set(['not valid JSON']));
  });

  it('a file read with the wrong --source is refused, not registered, saying which fields no record gave', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    // One page per line: the page is a well-formed JSON record to Zeek's reader, with none of its fields.
    const path = writeText(dir, 'participants.json', JSON.stringify(JSON.parse(fixtureText('zoom-dashboard-participants-doc-example-2022.json'))) + '\n');
    const summary = await ingestSources(db, [path], dir, { source: 'zeek-conn' });
    const result = resultFor(summary, 'participants.json');
    expect(result.status).toBe('failed');
    expect(result.note).toBe(
      'no record gave required fields "ts", "session_id", "dc_id", "outcome" by the source zeek-conn (sources/zeek-conn.yaml: fields.ts); the file was not loaded. Is it that source? Name another with --source NAME',
    );
    expect(await registry(db)).toEqual([]);
  });
});

describe('a .json file holding one JSON array of records (the native schema)', () => {
  const records = [
    { ts: '2020-04-01T08:00:00.250+08:00', session_id: 's1', dc_id: 'us-sjc1', outcome: 'connected', client_ip: '203.0.113.7', meeting_id: 'm1', user_id: 'u1' },
    { ts: '2020-04-01T08:00:05Z', session_id: 's1', dc_id: 'cn-pek1', dc_ip: '198.18.12.5', outcome: 'timeout' },
    // The native rule: ISO-8601 without an offset is UTC, whatever --timezone says.
    { ts: '2020-04-01T09:00:00', session_id: 's2', dc_id: 'eu-fra1', outcome: 'ok' },
    { ts: '2020-04-01T09:00:00', session_id: 's3', dc_id: 'eu-fra1', outcome: 'refused' },
  ];
  const expected = (lines: number[]) => [
    attempt({ ts: '2020-04-01T00:00:00.250000Z', session_id: 's1', dc_id: 'us-sjc1', outcome: 'connected', client_ip: '203.0.113.7', meeting_id: 'm1', user_id: 'u1', line_no: lines[0]! }),
    attempt({ ts: '2020-04-01T08:00:05.000000Z', session_id: 's1', dc_id: 'cn-pek1', dc_ip: '198.18.12.5', outcome: 'timeout', line_no: lines[1]! }),
    attempt({ ts: '2020-04-01T09:00:00.000000Z', session_id: 's3', dc_id: 'eu-fra1', outcome: 'refused', line_no: lines[3]! }),
  ];

  it('pretty-printed: loads as records, each at the line its object starts on, rejects at theirs', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const text = JSON.stringify(records, null, 2) + '\n';
    writeText(dir, 'export.json', text);
    const starts = text.split('\n').flatMap((line, i) => (line === '  {' ? [i + 1] : []));
    expect(starts).toHaveLength(4);
    const summary = await ingestSources(db, [`${dir}/export.json`], dir);
    expect(countsOf(resultFor(summary, 'export.json'))).toEqual({ source: 'routeaudit', status: 'loaded', read: 4, loaded: 3, duplicates: 0, rejected: 1 });
    expect(await storedAttempts(db, 'export.json')).toEqual(expected(starts));
    expect(await storedRejects(db, 'export.json')).toEqual([{ line: starts[2], part: 0, reason: 'outcome: "ok" is not one of connected, timeout, refused, error' }]);
    await expectCountsAddUp(db);
  });

  // docs/sources.md, Time zones: "The native schema keeps its documented rule: ISO-8601 without an offset is UTC;
  // --timezone does not change it." The array is read by nativeDocumentSource (timezone: 'UTC'), but stage.ts takes
  // `timezone ?? spec.timezone`, so --timezone wins, and translate.ts (zoned(), uncommitted at the time of writing)
  // reads the offset-less ts in it: 09:00 is stored as 13:00Z.
  it('with --timezone, an offset-less ts still reads as UTC (the native rule)', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    writeText(dir, 'export.json', JSON.stringify(records, null, 2) + '\n');
    await ingestSources(db, [`${dir}/export.json`], dir, { timezone: 'America/New_York' });
    expect((await storedAttempts(db, 'export.json')).map((a) => [a.session_id, a.ts])).toEqual([
      ['s1', '2020-04-01T00:00:00.250000Z'],
      ['s1', '2020-04-01T08:00:05.000000Z'],
      ['s3', '2020-04-01T09:00:00.000000Z'],
    ]);
  });

  it('on one line: every record is on line 1, numbered by part', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    writeText(dir, 'export.json', JSON.stringify(records));
    const summary = await ingestSources(db, [`${dir}/export.json`], dir);
    expect(countsOf(resultFor(summary, 'export.json'))).toEqual({ source: 'routeaudit', status: 'loaded', read: 4, loaded: 3, duplicates: 0, rejected: 1 });
    expect(await storedAttempts(db, 'export.json')).toEqual(expected([1, 1, 1, 1]).map((a, i) => ({ ...a, part: [0, 1, 3][i]! })));
    expect(await storedRejects(db, 'export.json')).toEqual([{ line: 1, part: 2, reason: 'outcome: "ok" is not one of connected, timeout, refused, error' }]);
    await expectCountsAddUp(db);
  });
});

describe('re-ingesting source files', () => {
  it('loads nothing: every file is already ingested, under its name or another, and the tables are unchanged', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const paths = RECOGNISED.map(([fixture, as]) => copyFixture(dir, fixture, as));
    const first = await ingestSources(db, paths, dir);
    expect(first.files.every((f) => f.status === 'loaded')).toBe(true);
    const before = await db.all('SELECT (SELECT count(*) FROM connections) AS c, (SELECT count(*) FROM rejects) AS r, (SELECT count(*) FROM duplicates) AS d, (SELECT count(*) FROM ingested_files) AS f');
    const again = await ingestSources(db, paths, dir);
    expect(again.files.map((f) => [f.path, f.status, f.loaded, f.duplicates, f.rejected])).toEqual(
      first.files.map((f) => [f.path, 'already-ingested', 0, 0, 0]),
    );
    expect(again.totals).toEqual({ linesRead: 0, loaded: 0, duplicates: 0, rejected: 0 });
    // With --source named, and a renamed copy: the same content, the same reading.
    const renamed = copyFixture(dir, 'zeek-conn-docs.json.log', 'conn.2020-06-05.log');
    const named = await ingestSources(db, [`${dir}/conn.log`, renamed], dir, { source: 'zeek-conn' });
    expect(named.files.map((f) => [f.path, f.status, f.note])).toEqual([
      ['conn.2020-06-05.log', 'already-ingested', 'same content as conn-json.log'],
      ['conn.log', 'already-ingested', 'same content as conn.log'],
    ]);
    expect(await db.all('SELECT (SELECT count(*) FROM connections) AS c, (SELECT count(*) FROM rejects) AS r, (SELECT count(*) FROM duplicates) AS d, (SELECT count(*) FROM ingested_files) AS f')).toEqual(before);
    await expectCountsAddUp(db);
  });
});
