import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestCommand } from '../../src/commands/ingest.js';
import { UsageError } from '../../src/errors.js';
import { identityMapping, parseColumnMapping } from '../../src/ingest/mapping.js';
import { ingestPaths, jsonl, memoryDb, recordingIo, tempDir, writeFile } from '../helpers.js';

describe('--map', () => {
  it('ts=timestamp and dc_id=server on JSON Lines and CSV', async () => {
    const dir = tempDir();
    writeFile(dir, 'a.jsonl', jsonl([
      { timestamp: '2020-04-01T08:00:00Z', session_id: 'j1', server: 'us-sjc1', outcome: 'connected', ts: 'ignored: not the mapped source', dc_id: 'ignored' },
      { timestamp: 1585728000250, session_id: 'j2', server: 'us-iad1', outcome: 'timeout' },
    ]));
    writeFile(dir, 'b.csv', 'session_id,server,outcome,timestamp\nc1,cn-bj1,refused,2020-04-01T09:00:00+01:00\n');
    const db = await memoryDb();
    const summary = await ingestPaths(db, [dir], dir, parseColumnMapping(['ts=timestamp', 'dc_id=server']));
    expect(summary.files.map((f) => [f.path, f.status, f.linesRead, f.loaded, f.rejected])).toEqual([
      ['a.jsonl', 'loaded', 2, 2, 0],
      ['b.csv', 'loaded', 1, 1, 0],
    ]);
    expect(await db.all('SELECT line_no, ts, session_id, dc_id, outcome FROM connections ORDER BY file_id, line_no')).toEqual([
      { line_no: 1, ts: '2020-04-01T08:00:00.000Z', session_id: 'j1', dc_id: 'us-sjc1', outcome: 'connected' },
      { line_no: 2, ts: '2020-04-01T08:00:00.250Z', session_id: 'j2', dc_id: 'us-iad1', outcome: 'timeout' },
      { line_no: 2, ts: '2020-04-01T08:00:00.000Z', session_id: 'c1', dc_id: 'cn-bj1', outcome: 'refused' },
    ]);
    expect(JSON.parse((await db.one('SELECT mapping FROM ingested_files WHERE file_id = 1')).mapping as string)).toMatchObject({ ts: 'timestamp', dc_id: 'server', outcome: 'outcome' });
  });

  it('a JSON path source reads a nested field: client_ip=$.client.ip', async () => {
    const dir = tempDir();
    writeFile(dir, 'nested.jsonl', jsonl([
      { ts: '2020-04-01T08:00:00Z', session_id: 's1', dc_id: 'd', outcome: 'connected', client: { ip: '198.51.100.4', country: 'DE' } },
      { ts: '2020-04-01T08:00:01Z', session_id: 's2', dc_id: 'd', outcome: 'connected', client: {} },
    ]));
    const db = await memoryDb();
    await ingestPaths(db, [dir], dir, parseColumnMapping(['client_ip=$.client.ip', 'client_country=$.client.country']));
    expect(await db.all('SELECT session_id, client_ip, client_country FROM connections ORDER BY line_no')).toEqual([
      { session_id: 's1', client_ip: '198.51.100.4', client_country: 'DE' },
      { session_id: 's2', client_ip: null, client_country: null },
    ]);
  });

  it('refuses a file where no record has a required field, suggesting --map, without registering it; the mapped rerun loads it', async () => {
    const dir = tempDir();
    writeFile(dir, 'renamed.jsonl', jsonl([
      { timestamp: '2020-04-01T08:00:00Z', session_id: 's1', dc_id: 'd', outcome: 'connected' },
      { timestamp: '2020-04-01T08:00:01Z', session_id: 's2', dc_id: 'd', outcome: 'connected' },
      'not json',
    ]));
    const db = await memoryDb();
    const refused = await ingestPaths(db, [dir], dir);
    expect(refused.failed).toBe(1);
    expect(refused.files.map((f) => [f.status, f.fileId, f.linesRead, f.loaded, f.rejected])).toEqual([['failed', null, 0, 0, 0]]);
    expect(refused.files[0]!.note).toBe('no record has required field "ts"; the file was not loaded. If the field names differ, map them, e.g. --map ts=timestamp');
    expect(await db.one('SELECT (SELECT count(*) FROM ingested_files) AS f, (SELECT count(*) FROM connections) AS c, (SELECT count(*) FROM rejects) AS r')).toEqual({ f: 0, c: 0, r: 0 });

    const mapped = await ingestPaths(db, [dir], dir, parseColumnMapping(['ts=timestamp']));
    expect(mapped.files.map((f) => [f.status, f.linesRead, f.loaded, f.rejected])).toEqual([['loaded', 3, 2, 1]]);
  });

  it('a semicolon-separated CSV is refused with a message naming its delimiter, not --map', async () => {
    const dir = tempDir();
    writeFile(dir, 'semi.csv', 'ts;session_id;dc_id;outcome\n2020-04-01T08:00:00Z;s1;d;connected\n');
    const io = recordingIo(dir);
    expect(await ingestCommand({ paths: [dir], db: join(dir, 'test.duckdb'), format: 'auto', mapping: parseColumnMapping([]) }, io)).toBe(2);
    const out = io.out.join('');
    expect(out).toContain('the header is separated by semicolons, not commas: read it with a source definition that declares the delimiter (format: csv, delimiter: semicolon; docs/sources.md)');
    expect(out).not.toContain('--map');
  });

  it('refuses a CSV whose header lacks a required column, naming the mapped source; the ingest command exits 2', async () => {
    const dir = tempDir();
    writeFile(dir, 'renamed.csv', 'time,session_id,server,outcome\n2020-04-01T08:00:00Z,s1,d,connected\n');
    const io = recordingIo(dir);
    const options = { paths: [dir], db: join(dir, 'test.duckdb'), format: 'auto' as const };
    expect(await ingestCommand({ ...options, mapping: parseColumnMapping(['ts=timestamp']) }, io)).toBe(2);
    expect(io.out.join('')).toContain(
      'error: renamed.csv: the CSV header has no column for required fields "ts" (mapped from "timestamp"), "dc_id"; header: time,session_id,server,outcome; use --map FIELD=COLUMN if the names differ\n',
    );
    const rerun = recordingIo(dir);
    expect(await ingestCommand({ ...options, mapping: parseColumnMapping(['ts=time', 'dc_id=server']) }, rerun)).toBe(0);
    expect(rerun.out.join('')).toContain('lines read 1 = loaded 1 + duplicates 0 + rejected 0 (adds up)\n');
  });

  it('warns, per file, when an explicit --map source of an optional field is in no record (a typo), and loads the rest', async () => {
    const dir = tempDir();
    writeFile(dir, 'a.jsonl', jsonl([
      { ts: '2020-04-01T08:00:00Z', session_id: 's1', dc_id: 'd', outcome: 'connected', country_code: 'US' },
      { ts: '2020-04-01T08:00:01Z', session_id: 's2', dc_id: 'd', outcome: 'connected', country_code: 'DE' },
    ]));
    const io = recordingIo(dir);
    const options = { paths: [dir], db: join(dir, 'test.duckdb'), format: 'auto' as const };
    expect(await ingestCommand({ ...options, mapping: parseColumnMapping(['client_country=country_cod', 'user_id=$.who']) }, io)).toBe(0);
    const out = io.out.join('');
    expect(out).toContain('warning: a.jsonl: --map user_id=$.who: no record has a value there, so user_id loaded empty (a typo?); --map client_country=country_cod: no record has a value there, so client_country loaded empty (a typo?)\n');
    expect(out).toContain('lines read 2 = loaded 2 + duplicates 0 + rejected 0 (adds up)');

    const right = recordingIo(dir);
    writeFile(dir, 'b.jsonl', jsonl([{ ts: '2020-04-01T09:00:00Z', session_id: 's3', dc_id: 'd', outcome: 'connected', country_code: 'FR' }]));
    expect(await ingestCommand({ ...options, mapping: parseColumnMapping(['client_country=country_code']) }, right)).toBe(0);
    expect(right.out.join('')).not.toContain('warning:');
  });

  it('reports usage errors in --map', () => {
    expect(parseColumnMapping([])).toEqual(identityMapping());
    const cases: [string[], string][] = [
      [['colour=c'], '--map "colour=c": unknown log field "colour" (expected one of: ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id, meeting_id, user_id, client_ip, client_country, traffic)'],
      [['ts'], '--map "ts": expected FIELD=SOURCE, e.g. --map ts=timestamp'],
      [['=timestamp'], '--map "=timestamp": expected FIELD=SOURCE, e.g. --map ts=timestamp'],
      [['ts='], '--map "ts=": expected FIELD=SOURCE, e.g. --map ts=timestamp'],
      [['ts=a', 'ts=b'], '--map "ts=b": field "ts" is already mapped to "a"'],
      [['ts=when', 'dc_id=when'], '--map: "when" would feed both "ts" and "dc_id"'],
      [['dc_id=session_id'], '--map: "session_id" would feed both "session_id" and "dc_id"'],
      [['ts=$.'], '--map "ts=$.": "$." is not a JSON path; expected $.key, $.a.b, $."a key" or $.list[0]'],
      [['client_ip=$.client..ip'], '--map "client_ip=$.client..ip": "$.client..ip" is not a JSON path'],
    ];
    for (const [flags, message] of cases) {
      expect(() => parseColumnMapping(flags)).toThrow(UsageError);
      expect(() => parseColumnMapping(flags)).toThrow(message);
    }
  });
});
