import { chmodSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { jsonl, record, recordingIo, tempDir, writeFile } from '../helpers.js';

/** A folder with two logs ingested into test.duckdb: 3 records loaded, 1 duplicate, 2 rejects. */
async function ingestedFolder(): Promise<string> {
  const dir = tempDir();
  writeFile(dir, 'logs/a.jsonl', jsonl([
    record({ ts: '2020-04-01T08:00:00.250+08:00', latency_ms: 120, client_country: 'us' }),
    'not json',
    record({ session_id: 's2', outcome: 'timeout', attempt: 2 }),
  ]));
  writeFile(dir, 'logs/b.csv', [
    'ts,session_id,dc_id,outcome,user_id,latency_ms,client_country',
    '2020-04-01T08:00:00Z,s2,us-sjc1,timeout,"o\'brien, ""ob""",,',
    '2020-04-01T08:00:00.250+08:00,s1,us-sjc1,connected,,120,us',
    '2020-04-01T09:00:00Z,s3,cn-bj1,connected,x,y',
    '',
  ].join('\n'));
  const io = recordingIo(dir);
  expect(await runCli(['ingest', 'logs', '--db', 'test.duckdb'], io)).toBe(0);
  return dir;
}

const SQL = `SELECT session_id, ts, attempt, latency_ms, user_id FROM connections ORDER BY ts, session_id`;

describe('routeaudit ingest', () => {
  it('prints a row per file and the totals', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/a.jsonl', jsonl([record(), 'not json', record({ session_id: 's2' })]));
    writeFile(dir, 'logs/b.csv', 'ts,session_id,dc_id,outcome\n2020-04-01T08:00:00Z,s1,us-sjc1,connected\n');
    writeFile(dir, 'logs/notes.txt', 'not a log');
    const io = recordingIo(dir);
    expect(await runCli(['ingest', 'logs', '--db', 'test.duckdb'], io)).toBe(0);
    expect(io.out.join('')).toBe(
      [
        'file          format  status  read  loaded  duplicates  rejected  note',
        '------------  ------  ------  ----  ------  ----------  --------  ----',
        'logs/a.jsonl  jsonl   loaded     3       2           0         1',
        'logs/b.csv    csv     loaded     1       0           1         0',
        'skipped logs/notes.txt: not a log file name',
        '',
        '2 files: 2 loaded, 0 already ingested, 0 failed',
        'lines read 4 = loaded 2 + duplicates 1 + rejected 1 (adds up)',
        'see the rejected lines with: routeaudit rejects --db test.duckdb',
        '',
      ].join('\n'),
    );
    expect(io.err).toEqual([]);
    expect(existsSync(join(dir, 'test.duckdb'))).toBe(true);
  });

  it('with --format, still reads only log file names from a folder, and lists broken links as skipped', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/a.log', jsonl([record()]));
    writeFile(dir, 'logs/README.md', '# not a log');
    symlinkSync(join(dir, 'logs/gone.jsonl'), join(dir, 'logs/dangling.jsonl'));
    const io = recordingIo(dir);
    expect(await runCli(['ingest', 'logs', '--db', 'test.duckdb', '--format', 'jsonl'], io)).toBe(0);
    const out = io.out.join('');
    expect(out).toContain('logs/a.log  jsonl   loaded     1       1');
    expect(out).toContain('skipped logs/README.md: not a log file name (name it, or match it with a glob, to read it as jsonl)');
    expect(out).toContain('skipped logs/dangling.jsonl: a broken symbolic link');
    expect(out).toContain('lines read 1 = loaded 1 + duplicates 0 + rejected 0 (adds up)');
  });

  // Root lists any folder, so there the refusal cannot be provoked: skipped, not passed.
  it.skipIf(process.getuid?.() === 0)('exits 2 naming a folder it cannot list', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/locked/a.jsonl', jsonl([record()]));
    chmodSync(join(dir, 'logs/locked'), 0o000);
    try {
      const io = recordingIo(dir);
      expect(await runCli(['ingest', 'logs', '--db', 'test.duckdb'], io)).toBe(2);
      expect(io.err.join('')).toContain('logs/locked: cannot list this folder (EACCES)');
    } finally {
      chmodSync(join(dir, 'logs/locked'), 0o755);
    }
  });

  it('exits 2 for a pipe or device, which it could not read twice, and opens no database', async () => {
    const dir = tempDir();
    const io = recordingIo(dir);
    expect(await runCli(['ingest', '/dev/null', '--format', 'jsonl', '--db', 'test.duckdb'], io)).toBe(2);
    expect(io.err.join('')).toBe('routeaudit: /dev/null: not a regular file (a pipe, socket or device); save the stream to a file first, then ingest that file\n');
    expect(existsSync(join(dir, 'test.duckdb'))).toBe(false);
  });

  it('exits 2 naming a path that does not exist, and opens no database', async () => {
    const dir = tempDir();
    const io = recordingIo(dir);
    expect(await runCli(['ingest', 'missing/logs', '--db', 'test.duckdb'], io)).toBe(2);
    expect(io.err.join('')).toBe('routeaudit: missing/logs: no such file or directory\n');
    expect(existsSync(join(dir, 'test.duckdb'))).toBe(false);
  });

  it('exits 2 with a usage message on a bad flag or format', async () => {
    const dir = tempDir();
    let io = recordingIo(dir);
    expect(await runCli(['ingest', 'logs', '--colour'], io)).toBe(2);
    expect(io.err.join('')).toContain("error: unknown option '--colour'");
    expect(io.err.join('')).toContain('(run with --help for usage)');
    io = recordingIo(dir);
    expect(await runCli(['ingest', 'logs', '--format', 'xml'], io)).toBe(2);
    expect(io.err.join('')).toContain("argument 'xml' is invalid. Allowed choices are auto, jsonl, csv, parquet.");
    io = recordingIo(dir);
    expect(await runCli(['ingest', 'logs', '--map', 'colour=c'], io)).toBe(2);
    expect(io.err.join('')).toContain('routeaudit: --map "colour=c": unknown log field "colour"');
    io = recordingIo(dir);
    expect(await runCli(['rejects', '--limit', '0'], io)).toBe(2);
    expect(io.err.join('')).toContain('--limit must be a positive whole number, got "0"');
  });

  it('--help exits 0 and lists the commands and exit codes', async () => {
    const io = recordingIo(tempDir());
    expect(await runCli(['--help'], io)).toBe(0);
    const out = io.out.join('');
    for (const command of ['ingest', 'rejects', 'query']) expect(out).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(out).toContain('Exit codes:');
    const sub = recordingIo(tempDir());
    expect(await runCli(['ingest', '--help'], sub)).toBe(0);
    expect(sub.out.join('')).toContain('--map <field=source>');
  });
});

describe('routeaudit rejects', () => {
  it('lists file, line and reason', async () => {
    const dir = await ingestedFolder();
    const io = recordingIo(dir);
    expect(await runCli(['rejects', '--db', 'test.duckdb'], io)).toBe(0);
    expect(io.out.join('')).toBe(
      [
        'file          line  reason                                       raw',
        '------------  ----  -------------------------------------------  --------------------------------------------',
        'logs/a.jsonl     2  not valid JSON                               not json',
        'logs/b.csv       4  expected 7 fields as in the header, found 6  2020-04-01T09:00:00Z,s3,cn-bj1,connected,x,y',
        '2 rejected lines',
        '',
      ].join('\n'),
    );
    const limited = recordingIo(dir);
    expect(await runCli(['rejects', '--db', 'test.duckdb', '--limit', '1'], limited)).toBe(0);
    expect(limited.out.join('')).toContain('2 rejected lines, showing the first 1 (--limit)\n');
  });

  it('exits 2 when the database does not exist', async () => {
    const dir = tempDir();
    const io = recordingIo(dir);
    expect(await runCli(['rejects', '--db', 'none.duckdb'], io)).toBe(2);
    const path = join(dir, 'none.duckdb');
    expect(io.err.join('')).toBe(`routeaudit: database "${path}" does not exist: ingest logs first (routeaudit ingest PATH --db ${path})\n`);
    expect(existsSync(path)).toBe(false);
  });
});

describe('routeaudit query', () => {
  it('prints a table', async () => {
    const dir = await ingestedFolder();
    const io = recordingIo(dir);
    expect(await runCli(['query', SQL, '--db', 'test.duckdb'], io)).toBe(0);
    expect(io.out.join('')).toBe(
      [
        'session_id  ts                        attempt  latency_ms  user_id',
        '----------  ------------------------  -------  ----------  -------------',
        's1          2020-04-01T00:00:00.250Z                  120',
        's2          2020-04-01T08:00:00.000Z        2',
        's2          2020-04-01T08:00:00.000Z                       o\'brien, "ob"',
        '(3 rows)',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON and CSV', async () => {
    const dir = await ingestedFolder();
    const json = recordingIo(dir);
    expect(await runCli(['query', SQL, '--db', 'test.duckdb', '--format', 'json'], json)).toBe(0);
    expect(JSON.parse(json.out.join(''))).toEqual([
      { session_id: 's1', ts: '2020-04-01T00:00:00.250Z', attempt: null, latency_ms: 120, user_id: null },
      { session_id: 's2', ts: '2020-04-01T08:00:00.000Z', attempt: 2, latency_ms: null, user_id: null },
      { session_id: 's2', ts: '2020-04-01T08:00:00.000Z', attempt: null, latency_ms: null, user_id: 'o\'brien, "ob"' },
    ]);
    const csv = recordingIo(dir);
    expect(await runCli(['query', SQL, '--db', 'test.duckdb', '--format', 'csv'], csv)).toBe(0);
    expect(csv.out.join('').replaceAll('\r\n', '\n')).toBe(
      [
        'session_id,ts,attempt,latency_ms,user_id',
        's1,2020-04-01T00:00:00.250Z,,120,',
        's2,2020-04-01T08:00:00.000Z,2,,',
        's2,2020-04-01T08:00:00.000Z,,,"o\'brien, ""ob"""',
        '',
      ].join('\n'),
    );
  });

  it('writes an Arrow IPC stream that reads back with the same values', async () => {
    const dir = await ingestedFolder();
    const io = recordingIo(dir);
    expect(await runCli(['query', `${SQL.replace('user_id FROM', 'user_id, file_id, line_no FROM')}`, '--db', 'test.duckdb', '--format', 'arrow'], io)).toBe(0);
    expect(io.out).toEqual([]);
    const table = tableFromIPC(Buffer.concat(io.bytes));
    expect(table.numRows).toBe(3);
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'session_id:Utf8',
      'ts:Timestamp<MILLISECOND, UTC>',
      'attempt:Int32',
      'latency_ms:Int32',
      'user_id:Utf8',
      'file_id:Int64',
      'line_no:Int64',
    ]);
    const rows = table.toArray().map((row) => row.toJSON());
    expect(rows.map((r) => ({ ...r, ts: new Date(Number(r.ts)).toISOString() }))).toEqual([
      { session_id: 's1', ts: '2020-04-01T00:00:00.250Z', attempt: null, latency_ms: 120, user_id: null, file_id: 1n, line_no: 1n },
      { session_id: 's2', ts: '2020-04-01T08:00:00.000Z', attempt: 2, latency_ms: null, user_id: null, file_id: 1n, line_no: 3n },
      { session_id: 's2', ts: '2020-04-01T08:00:00.000Z', attempt: null, latency_ms: null, user_id: 'o\'brien, "ob"', file_id: 2n, line_no: 2n },
    ]);
  });

  it('cannot write to the database nor touch files: exit 2', async () => {
    const dir = await ingestedFolder();
    const copyTarget = join(dir, 'stolen.csv');
    const cases: [string, RegExp][] = [
      ['CREATE TABLE x(a int)', /read-only/],
      ['DELETE FROM connections', /read-only/],
      [`COPY connections TO '${copyTarget}'`, /file system operations are disabled/],
      [`SELECT * FROM read_csv('/etc/passwd')`, /file system operations are disabled/],
      [`ATTACH '${join(dir, 'other.duckdb')}' AS other`, /file system operations are disabled/],
      ['SET enable_external_access = true', /Cannot enable external access while database is running/],
    ];
    for (const [sql, message] of cases) {
      const io = recordingIo(dir);
      expect(await runCli(['query', sql, '--db', 'test.duckdb'], io), sql).toBe(2);
      const err = io.err.join('');
      expect(err, sql).toMatch(/^routeaudit: query failed: /);
      expect(err, sql).toMatch(message);
    }
    expect(existsSync(copyTarget)).toBe(false);
    expect(existsSync(join(dir, 'other.duckdb'))).toBe(false);
    const io = recordingIo(dir);
    expect(await runCli(['query', 'SELECT count(*) AS n FROM connections', '--db', 'test.duckdb', '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(io.out.join(''))).toEqual([{ n: 3 }]);
  });

  it('exits 2 on a bad format or SQL error', async () => {
    const dir = await ingestedFolder();
    let io = recordingIo(dir);
    expect(await runCli(['query', 'SELECT 1', '--db', 'test.duckdb', '--format', 'xlsx'], io)).toBe(2);
    expect(io.err.join('')).toContain("argument 'xlsx' is invalid. Allowed choices are table, json, csv, arrow.");
    io = recordingIo(dir);
    expect(await runCli(['query', 'SELECT nope FROM connections', '--db', 'test.duckdb'], io)).toBe(2);
    expect(io.err.join('')).toMatch(/^routeaudit: query failed: Binder Error: Referenced column "nope" not found/);
    io = recordingIo(dir);
    expect(await runCli(['query', 'SELECT 1; SELECT 2', '--db', 'test.duckdb'], io)).toBe(2);
    expect(io.err.join('')).toBe('routeaudit: query failed: expected one SQL statement, got 2; run them one at a time\n');
    io = recordingIo(dir);
    expect(await runCli(['query', '  ', '--db', 'test.duckdb'], io)).toBe(2);
    expect(io.err.join('')).toContain('routeaudit: query failed: no SQL given');
  });
});
