import { appendFileSync, copyFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestCommand } from '../../src/commands/ingest.js';
import { Database } from '../../src/db/database.js';
import { identityMapping } from '../../src/ingest/mapping.js';

const openDatabase = (path: string) => Database.open(path);
import { ingestPaths, jsonl, memoryDb, record, recordingIo, tempDir, writeFile } from '../helpers.js';
import { expectRegistryMatchesTables } from './support.js';

const counts = (summary: Awaited<ReturnType<typeof ingestPaths>>) => summary.files.map((f) => [f.path, f.status, f.linesRead, f.loaded, f.duplicates, f.rejected]);

/** `n` distinct records, sessions named from `prefix`. */
function records(prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => record({ session_id: `${prefix}${i + 1}` }));
}

describe('re-ingest', () => {
  it('of the same directory loads nothing and reports every file as already ingested', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/a.jsonl', jsonl([...records('a', 3), 'oops']));
    writeFile(dir, 'logs/b.csv', 'ts,session_id,dc_id,outcome\n2020-04-01T08:00:00Z,b1,dc,connected\n');
    const db = await memoryDb();
    expect(counts(await ingestPaths(db, ['logs'], dir))).toEqual([
      ['logs/a.jsonl', 'loaded', 4, 3, 0, 1],
      ['logs/b.csv', 'loaded', 1, 1, 0, 0],
    ]);
    const again = await ingestPaths(db, ['logs'], dir);
    expect(counts(again)).toEqual([
      ['logs/a.jsonl', 'already-ingested', 0, 0, 0, 0],
      ['logs/b.csv', 'already-ingested', 0, 0, 0, 0],
    ]);
    expect(again.totals).toEqual({ linesRead: 0, loaded: 0, duplicates: 0, rejected: 0 });
    expect(await db.one('SELECT (SELECT count(*) FROM ingested_files) AS f, (SELECT count(*) FROM connections) AS c, (SELECT count(*) FROM rejects) AS r')).toEqual({ f: 2, c: 4, r: 1 });
  });

  it('reads again, once, a file whose earlier reading with another --format rejected every line', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/b.csv', 'ts,session_id,dc_id,outcome\n2020-04-01T08:00:00Z,b1,dc,connected\n2020-04-01T08:00:01Z,b2,dc,timeout\n');
    const options = { paths: ['logs/b.csv'], db: join(dir, 'test.duckdb'), mapping: identityMapping() };
    const wrong = recordingIo(dir);
    // A file that loads nothing is not success: exit 4, named on stdout and stderr.
    expect(await ingestCommand({ ...options, format: 'jsonl' }, wrong)).toBe(4);
    expect(wrong.out.join('')).toContain('lines read 3 = loaded 0 + duplicates 0 + rejected 3 (adds up)');
    expect(wrong.out.join('')).toContain('error: logs/b.csv: every line was rejected (3); nothing was loaded');
    expect(wrong.err.join('')).toContain('1 of 1 file loaded nothing: every line was rejected (exit 4)');
    // The same slip again changes nothing: the same reading would reject the same lines.
    const same = recordingIo(dir);
    expect(await ingestCommand({ ...options, format: 'jsonl' }, same)).toBe(0);
    expect(same.out.join('')).toContain('1 file: 0 loaded, 1 already ingested, 0 failed');

    const right = recordingIo(dir);
    expect(await ingestCommand({ ...options, format: 'auto' }, right)).toBe(0);
    const out = right.out.join('');
    expect(out).toContain('replaces the earlier reading of logs/b.csv as jsonl, which rejected every line');
    expect(out).toContain('lines read 2 = loaded 2 + duplicates 0 + rejected 0 (adds up)');
    const db = await openDatabase(join(dir, 'test.duckdb'));
    try {
      expect(await db.one('SELECT (SELECT count(*) FROM ingested_files) AS f, (SELECT count(*) FROM connections) AS c, (SELECT count(*) FROM rejects) AS r')).toEqual({ f: 1, c: 2, r: 0 });
      await expectRegistryMatchesTables(db);
    } finally {
      db.close();
    }
    const again = recordingIo(dir);
    expect(await ingestCommand({ ...options, format: 'auto' }, again)).toBe(0);
    expect(again.out.join('')).toContain('1 file: 0 loaded, 1 already ingested, 0 failed');
  });

  it('prints "already ingested" from the ingest command', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/a.jsonl', jsonl(records('a', 2)));
    const options = { paths: ['logs'], db: join(dir, 'test.duckdb'), format: 'auto' as const, mapping: identityMapping() };
    expect(await ingestCommand(options, recordingIo(dir))).toBe(0);
    const io = recordingIo(dir);
    expect(await ingestCommand(options, io)).toBe(0);
    const out = io.out.join('');
    expect(out).toMatch(/^logs\/a\.jsonl\s+jsonl\s+already ingested\s+0\s+0\s+0\s+0\s+same content as logs\/a\.jsonl$/m);
    expect(out).toContain('1 file: 0 loaded, 1 already ingested, 0 failed\n');
    expect(out).toContain('lines read 0 = loaded 0 + duplicates 0 + rejected 0 (adds up)\n');
  });

  it('recognises a renamed copy and a gzip of a loaded plain file by content', async () => {
    const dir = tempDir();
    const text = jsonl(records('a', 5));
    writeFile(dir, 'in/a.jsonl', text);
    const db = await memoryDb();
    await ingestPaths(db, ['in'], dir);
    renameSync(join(dir, 'in/a.jsonl'), join(dir, 'in/renamed.log'));
    writeFile(dir, 'in/a.jsonl.gz', text, 'gzip');
    copyFileSync(join(dir, 'in/renamed.log'), join(dir, 'in/copy.ndjson'));
    const summary = await ingestPaths(db, ['in'], dir);
    expect(summary.files.map((f) => [f.path, f.status, f.loaded, f.note])).toEqual([
      ['in/a.jsonl.gz', 'already-ingested', 0, 'same content as in/a.jsonl'],
      ['in/copy.ndjson', 'already-ingested', 0, 'same content as in/a.jsonl'],
      ['in/renamed.log', 'already-ingested', 0, 'same content as in/a.jsonl'],
    ]);
    expect(await db.one('SELECT (SELECT count(*) FROM ingested_files) AS f, (SELECT count(*) FROM connections) AS c, (SELECT count(*) FROM duplicates) AS d')).toEqual({ f: 1, c: 5, d: 0 });
  });
});

describe('a file that grew', () => {
  it('loads only the appended lines, with their true line numbers, and again after a second append', async () => {
    const dir = tempDir();
    const path = writeFile(dir, 'app.jsonl', jsonl(records('a', 3)));
    const db = await memoryDb();
    expect(counts(await ingestPaths(db, [dir], dir))).toEqual([['app.jsonl', 'loaded', 3, 3, 0, 0]]);

    appendFileSync(path, jsonl([...records('b', 2), 'broken']));
    const second = await ingestPaths(db, [dir], dir);
    expect(counts(second)).toEqual([['app.jsonl', 'loaded', 3, 2, 0, 1]]);
    expect(second.files[0]!.resumedAfterLine).toBe(3);

    appendFileSync(path, jsonl([records('a', 1)[0], ...records('c', 2)]));
    const third = await ingestPaths(db, [dir], dir);
    expect(counts(third)).toEqual([['app.jsonl', 'loaded', 3, 2, 1, 0]]);
    expect(third.files[0]!.resumedAfterLine).toBe(6);

    expect(await db.all('SELECT file_id, line_no, session_id FROM connections ORDER BY line_no')).toEqual([
      { file_id: 1, line_no: 1, session_id: 'a1' },
      { file_id: 1, line_no: 2, session_id: 'a2' },
      { file_id: 1, line_no: 3, session_id: 'a3' },
      { file_id: 2, line_no: 4, session_id: 'b1' },
      { file_id: 2, line_no: 5, session_id: 'b2' },
      { file_id: 3, line_no: 8, session_id: 'c1' },
      { file_id: 3, line_no: 9, session_id: 'c2' },
    ]);
    expect(await db.all('SELECT file_id, line_no, reason FROM rejects')).toEqual([{ file_id: 2, line_no: 6, reason: 'not valid JSON' }]);
    expect(await db.all('SELECT * FROM duplicates')).toEqual([{ file_id: 3, line_no: 7, original_file_id: 1, original_line_no: 1, part: 0, original_part: 0 }]);
    expect(await db.all('SELECT file_id, extends_file_id, first_line, total_lines, lines_read FROM ingested_files ORDER BY file_id')).toEqual([
      { file_id: 1, extends_file_id: null, first_line: 1, total_lines: 3, lines_read: 3 },
      { file_id: 2, extends_file_id: 1, first_line: 4, total_lines: 6, lines_read: 3 },
      { file_id: 3, extends_file_id: 2, first_line: 7, total_lines: 9, lines_read: 3 },
    ]);
    await expectRegistryMatchesTables(db);

    expect(counts(await ingestPaths(db, [dir], dir))).toEqual([['app.jsonl', 'already-ingested', 0, 0, 0, 0]]);
  });

  it('a grown CSV keeps its header and reads from the first new line', async () => {
    const dir = tempDir();
    const path = writeFile(dir, 'app.csv', 'ts,session_id,dc_id,outcome\r\n2020-04-01T08:00:00Z,a1,dc,connected\r\n');
    const db = await memoryDb();
    await ingestPaths(db, [dir], dir);
    appendFileSync(path, '2020-04-01T08:00:00Z,b1,dc,connected\r\n2020-04-01T08:00:00Z,b2,dc,nope\r\n');
    expect(counts(await ingestPaths(db, [dir], dir))).toEqual([['app.csv', 'loaded', 2, 1, 0, 1]]);
    expect(await db.all('SELECT file_id, line_no, session_id FROM connections ORDER BY line_no')).toEqual([
      { file_id: 1, line_no: 2, session_id: 'a1' },
      { file_id: 2, line_no: 3, session_id: 'b1' },
    ]);
    expect(await db.all('SELECT file_id, line_no FROM rejects')).toEqual([{ file_id: 2, line_no: 4 }]);
  });
});

describe('record-level duplicates', () => {
  it('an identical record in two files is stored once and counted as a duplicate of the original file and line', async () => {
    const dir = tempDir();
    const shared = record({ session_id: 'shared', tier: 'secondary', attempt: 2, client_country: 'US' });
    writeFile(dir, '1.jsonl', jsonl([record({ session_id: 'x' }), shared]));
    writeFile(dir, '2.jsonl', jsonl([record({ session_id: 'y' }), record({ session_id: 'z' }), { ...shared, client_country: 'us', unknown: 1 }]));
    // Differs in one optional field only: a different record.
    writeFile(dir, '3.jsonl', jsonl([{ ...shared, attempt: 3 }]));
    const db = await memoryDb();
    const summary = await ingestPaths(db, [dir], dir);
    expect(counts(summary)).toEqual([
      ['1.jsonl', 'loaded', 2, 2, 0, 0],
      ['2.jsonl', 'loaded', 3, 2, 1, 0],
      ['3.jsonl', 'loaded', 1, 1, 0, 0],
    ]);
    expect(await db.all('SELECT * FROM duplicates')).toEqual([{ file_id: 2, line_no: 3, original_file_id: 1, original_line_no: 2, part: 0, original_part: 0 }]);
    expect(await db.one(`SELECT count(*) AS n FROM connections WHERE session_id = 'shared'`)).toEqual({ n: 2 });
    await expectRegistryMatchesTables(db);
  });

  it('the same record in a JSON and a CSV file is one record', async () => {
    const dir = tempDir();
    writeFile(dir, 'a.jsonl', jsonl([record({ latency_ms: 40 })]));
    writeFile(dir, 'b.csv', 'session_id,ts,dc_id,outcome,latency_ms,tier\ns1,2020-04-01T08:00:00.000Z,us-sjc1,connected,40,\n');
    const db = await memoryDb();
    const summary = await ingestPaths(db, [dir], dir);
    expect(counts(summary)).toEqual([
      ['a.jsonl', 'loaded', 1, 1, 0, 0],
      ['b.csv', 'loaded', 1, 0, 1, 0],
    ]);
    expect(await db.all('SELECT * FROM duplicates')).toEqual([{ file_id: 2, line_no: 2, original_file_id: 1, original_line_no: 1, part: 0, original_part: 0 }]);
  });

  it('two identical records in one file: the first is stored, the second points at it', async () => {
    const dir = tempDir();
    writeFile(dir, 'twice.jsonl', jsonl([record(), record({ session_id: 's2' }), record(), record({ session_id: 's2' }), record()]));
    const db = await memoryDb();
    const summary = await ingestPaths(db, [dir], dir);
    expect(counts(summary)).toEqual([['twice.jsonl', 'loaded', 5, 2, 3, 0]]);
    expect(await db.all('SELECT line_no, session_id FROM connections ORDER BY line_no')).toEqual([
      { line_no: 1, session_id: 's1' },
      { line_no: 2, session_id: 's2' },
    ]);
    expect(await db.all('SELECT * FROM duplicates ORDER BY line_no')).toEqual([
      { file_id: 1, line_no: 3, original_file_id: 1, original_line_no: 1, part: 0, original_part: 0 },
      { file_id: 1, line_no: 4, original_file_id: 1, original_line_no: 2, part: 0, original_part: 0 },
      { file_id: 1, line_no: 5, original_file_id: 1, original_line_no: 1, part: 0, original_part: 0 },
    ]);
  });
});

