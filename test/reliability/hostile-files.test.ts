/**
 * Hostile files among good ones, ingested in one run (in-process; the slow file
 * measures peak memory in a child process on bigger ones): each gets a clear
 * message naming it, the good files load in full, the counts add up, and memory
 * stays within the caps of src/ingest/limits.ts.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { Database } from '../../src/db/database.js';
import { MAX_LINE_BYTES } from '../../src/ingest/limits.js';
import { jsonl, record, recordingIo, tempDir, writeFile } from '../helpers.js';
import { expectRegistryMatchesTables } from '../ingest/support.js';
import { STACK_LINE } from '../support/cli-process.js';
import { arbitraryBytes, zstdHugeWindow, zstdRleBomb } from './support.js';

const good = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => record({ session_id: `${prefix}-${i}`, ts: new Date(Date.UTC(2020, 3, 1) + i * 1000).toISOString() }));
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** A JSON object line of exactly `bytes` bytes: a valid record padded in session_id. */
function recordLine(bytes: number, sessionPrefix: string): string {
  const empty = JSON.stringify(record({ session_id: sessionPrefix }));
  return JSON.stringify(record({ session_id: sessionPrefix + 'x'.repeat(bytes - empty.length) }));
}

interface FileRow {
  path: string;
  lines_read: number;
  loaded: number;
  duplicates: number;
  rejected: number;
  [key: string]: string | number;
}

describe('hostile files among good ones', () => {
  let dir: string;
  let code: number;
  let stdout: string;
  let stderr: string;
  let files: Map<string, FileRow>;
  let rejects: { path: string; line_no: number; reason: string; raw: string; raw_bytes: number; raw_sha256: string | null }[];
  const longLine = recordLine(3 * MAX_LINE_BYTES, 'long');
  const fastLongLine = recordLine(MAX_LINE_BYTES + 1000, 'fast-long');
  const maxLine = recordLine(MAX_LINE_BYTES, 'max');
  const binary = arbitraryBytes(1 << 20, 7);
  const nestedArrays = '['.repeat(100_000) + ']'.repeat(100_000);
  const nestedObject = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);

  beforeAll(async () => {
    dir = tempDir();
    writeFile(dir, 'logs/good.jsonl', jsonl(good('g', 100)));
    writeFile(dir, 'logs/good.csv', ['ts,session_id,dc_id,outcome', ...good('c', 50).map((r) => [r.ts, r.session_id, r.dc_id, r.outcome].join(','))].join('\n') + '\n');
    // Decompression bombs: 10 MiB of newlines in ~10 KB of gzip; 32 GB of newlines in 1 MB of zstd RLE blocks; a zstd header asking for a 1.9 GB window.
    writeFile(dir, 'logs/bomb.jsonl.gz', gzipSync(Buffer.alloc(10 << 20, 10), { level: 9 }));
    writeFile(dir, 'logs/bomb.jsonl.zst', zstdRleBomb(250_000, 10));
    writeFile(dir, 'logs/window.jsonl.zst', zstdHugeWindow());
    // A gzip cut in half; a 0-byte .gz.
    writeFile(dir, 'logs/truncated.jsonl.gz', gzipSync(jsonl(good('t', 2000))).subarray(0, 4000));
    writeFile(dir, 'logs/zero.jsonl.gz', Buffer.alloc(0));
    // Lines over the limit: one read by the exact reader (3 MiB), one by DuckDB's reader (1 MiB + 1000); one at the limit loads.
    writeFile(dir, 'logs/long.jsonl', jsonl([record({ session_id: 'before-long' }), longLine, fastLongLine, maxLine, record({ session_id: 'after-long' })]));
    // 100,000 levels of nesting.
    writeFile(dir, 'logs/nested.jsonl', jsonl([nestedArrays, nestedObject, record({ session_id: 'after-nested' })]));
    // An unterminated quote costs its own line only.
    writeFile(dir, 'logs/quote.csv', ['ts,session_id,dc_id,outcome', '2020-04-01T08:00:00Z,"unterminated,us-sjc1,connected', ...good('q', 30).map((r) => [r.ts, r.session_id, r.dc_id, r.outcome].join(','))].join('\n') + '\n');
    // Binary: arbitrary bytes as a log, and as a CSV whose "header" is binary.
    writeFile(dir, 'logs/binary.jsonl', binary);
    writeFile(dir, 'logs/binary.csv', arbitraryBytes(5000, 11));
    writeFile(dir, 'logs/empty.jsonl', '');
    writeFile(dir, 'logs/empty.csv', '');

    const io = recordingIo(dir);
    code = await runCli(['ingest', 'logs', '--db', 'h.duckdb'], io);
    stdout = io.out.join('');
    stderr = io.err.join('');
    const db = await Database.open(join(dir, 'h.duckdb'), { readOnly: true });
    try {
      await expectRegistryMatchesTables(db);
      files = new Map((await db.all<FileRow>('SELECT path, lines_read, loaded, duplicates, rejected FROM ingested_files')).map((row) => [row.path, row]));
      rejects = await db.all(`SELECT f.path, r.line_no, r.reason, r.raw, r.raw_bytes, r.raw_sha256 FROM rejects r JOIN ingested_files f USING (file_id) ORDER BY f.path, r.line_no`);
    } finally {
      db.close();
    }
  }, 120_000);

  it('exits 2, names every failed or wholly rejected file with its reason, and prints no stack trace or raw control character', () => {
    expect(code, stdout + stderr).toBe(2);
    // The table is on stdout; stderr carries one line for scripts and cron.
    expect(stderr).toMatch(/^routeaudit: \d+ of \d+ files failed to load; the "error:" lines above say why\n$/);
    expect(stdout).not.toMatch(STACK_LINE);
    expect(stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const errors = stdout.split('\n').filter((line) => line.startsWith('error: '));
    const expected: [string, RegExp][] = [
      ['logs/binary.csv', /^the CSV header has no column for required fields "ts", "session_id", "dc_id", "outcome"; header: ".{1,210}"; use --map/],
      ['logs/bomb.jsonl.gz', /^decompresses to over 200 times its compressed size \(.* compressed bytes gave .*\): refused as a likely decompression bomb; if it is genuine, decompress it and ingest the plain file$/],
      ['logs/bomb.jsonl.zst', /^decompresses to over 200 times its compressed size .*likely decompression bomb/],
      ['logs/truncated.jsonl.gz', /^cannot decompress: .*\(a truncated or corrupt compressed file\?\)$/],
      ['logs/window.jsonl.zst', /^a zstd frame needs a 2,013,265,920-byte window, over the 134,217,728-byte limit/],
      ['logs/zero.jsonl.gz', /^cannot decompress: /],
      // Read and counted line by line, but it loaded nothing: named too, after the failures.
      ['logs/binary.jsonl', /^every line was rejected \([\d,]+\); nothing was loaded$/],
    ];
    expect(errors.map((line) => line.slice('error: '.length).split(': ')[0])).toEqual(expected.map(([path]) => path));
    for (const [path, message] of expected) {
      const line = errors.find((e) => e.startsWith(`error: ${path}: `))!;
      expect(line.slice(`error: ${path}: `.length), path).toMatch(message);
    }
    expect(stdout).toContain('6 failed');
  });

  it('loads every good file in full, and the counts add up', () => {
    expect(files.get('logs/good.jsonl')).toMatchObject({ lines_read: 100, loaded: 100, rejected: 0 });
    expect(files.get('logs/good.csv')).toMatchObject({ lines_read: 50, loaded: 50, rejected: 0 });
    const summary = /lines read ([\d,]+) = loaded ([\d,]+) \+ duplicates ([\d,]+) \+ rejected ([\d,]+) \(adds up\)/.exec(stdout);
    expect(summary, stdout).not.toBeNull();
  });

  it('rejects a line over the limit with its size and hash, never holding it whole; a line at the limit loads', () => {
    expect(files.get('logs/long.jsonl')).toMatchObject({ lines_read: 5, loaded: 3, rejected: 2 });
    const long = rejects.filter((r) => r.path === 'logs/long.jsonl');
    expect(long.map((r) => ({ line: r.line_no, reason: r.reason, bytes: r.raw_bytes, sha: r.raw_sha256, raw: r.raw }))).toEqual([
      { line: 2, reason: `line too long: ${3 * MAX_LINE_BYTES} bytes, over the limit of ${MAX_LINE_BYTES} bytes`, bytes: 3 * MAX_LINE_BYTES, sha: sha256(longLine), raw: longLine.slice(0, 4096) },
      { line: 3, reason: `line too long: ${MAX_LINE_BYTES + 1000} bytes, over the limit of ${MAX_LINE_BYTES} bytes`, bytes: MAX_LINE_BYTES + 1000, sha: sha256(fastLongLine), raw: fastLongLine.slice(0, 4096) },
    ]);
  });

  it('rejects 100,000 levels of nesting as lines that are not records', () => {
    expect(files.get('logs/nested.jsonl')).toMatchObject({ lines_read: 3, loaded: 1, rejected: 2 });
    const nested = rejects.filter((r) => r.path === 'logs/nested.jsonl');
    expect(nested.map((r) => [r.line_no, r.raw_bytes, r.raw_sha256])).toEqual([
      [1, nestedArrays.length, sha256(nestedArrays)],
      [2, nestedObject.length, sha256(nestedObject)],
    ]);
  });

  it('costs an unterminated CSV quote its own line only', () => {
    expect(files.get('logs/quote.csv')).toMatchObject({ lines_read: 31, loaded: 30, rejected: 1 });
    expect(rejects.filter((r) => r.path === 'logs/quote.csv').map((r) => [r.line_no, r.reason])).toEqual([[2, 'malformed CSV quoting (an unterminated or stray quote)']]);
  });

  it('rejects every line of a binary file, each counted, none lost', () => {
    let newlines = 0;
    for (const byte of binary) if (byte === 10) newlines++;
    const lines = newlines + (binary[binary.length - 1] === 10 ? 0 : 1);
    expect(files.get('logs/binary.jsonl')).toMatchObject({ lines_read: lines, loaded: 0, rejected: lines });
  });

  it('registers an empty file with nothing to load, once', () => {
    expect(files.get('logs/empty.csv')).toMatchObject({ lines_read: 0, loaded: 0, rejected: 0 });
    expect(stdout).toMatch(/logs\/empty\.jsonl +jsonl +already ingested/);
  });
});
