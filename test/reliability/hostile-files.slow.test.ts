/**
 * Hostile files at full size, each ingested by the built CLI in a process of
 * its own whose peak memory (RSS, DuckDB's included) is measured: a gzip bomb
 * (1 GiB of newlines in ~1 MB), a zstd bomb (32 GB in 1 MB), a 50 MB line,
 * 100,000 levels of nesting, and a folder of ten thousand tiny files. Each ends
 * with a clear message naming the file (or loads), within a fixed margin of
 * the memory a tiny ingest takes; the caps are those of src/ingest/limits.ts.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { MAX_LINE_BYTES } from '../../src/ingest/limits.js';
import { ensureBuilt, runCliProcess, STACK_LINE, type Outcome } from '../support/cli-process.js';
import { jsonl, record, tempDir, writeFile } from '../helpers.js';
import { expectRegistryMatchesTables } from '../ingest/support.js';
import { zstdRleBomb } from './support.js';

/** Memory a hostile file may cost beyond a tiny ingest's. */
const MARGIN_BYTES = 384 * 2 ** 20;
/** Ten thousand with RELIABILITY_MANY_FILES=10000 (about 50-100 ms a file: minutes); the suite's default keeps it shorter. */
const MANY_FILES = Number(process.env.RELIABILITY_MANY_FILES ?? 2_000);
const MiB = 2 ** 20;

let baseline: Outcome;
const figures: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  const dir = tempDir();
  writeFile(dir, 'tiny.jsonl', jsonl([record()]));
  baseline = await runCliProcess(['ingest', 'tiny.jsonl', '--db', 'b.duckdb'], dir, { measureRss: true });
  expect(baseline.code).toBe(0);
  expect(baseline.maxRssBytes).toBeGreaterThan(0);
}, 120_000);

async function ingestMeasured(dir: string, path: string): Promise<Outcome> {
  const run = await runCliProcess(['ingest', path, '--db', 'h.duckdb'], dir, { measureRss: true });
  expect(run.stdout + run.stderr).not.toMatch(STACK_LINE);
  expect(run.stderr).not.toMatch(/internal error/);
  const extra = run.maxRssBytes! - baseline.maxRssBytes!;
  figures.push(`${path}: exit ${run.code}, ${(run.elapsedMs / 1000).toFixed(1)} s, peak RSS ${(run.maxRssBytes! / MiB).toFixed(0)} MiB (tiny ingest ${(baseline.maxRssBytes! / MiB).toFixed(0)} MiB)`);
  console.log(figures.at(-1));
  expect(extra, figures.at(-1)).toBeLessThan(MARGIN_BYTES);
  return run;
}

async function storedFiles(dir: string) {
  const db = await Database.open(join(dir, 'h.duckdb'), { readOnly: true });
  try {
    await expectRegistryMatchesTables(db);
    return await db.all<{ path: string; lines_read: number; loaded: number; rejected: number; [key: string]: string | number }>('SELECT path, lines_read, loaded, rejected FROM ingested_files ORDER BY path');
  } finally {
    db.close();
  }
}

describe('hostile files at full size, memory measured', () => {
  it('refuses a gzip bomb of 1 GiB of newlines within bounded memory', async () => {
    const dir = tempDir();
    const chunk = Buffer.alloc(MiB, 10);
    await pipeline(Readable.from((function* () { for (let i = 0; i < 1024; i++) yield chunk; })()), createGzip({ level: 9 }), createWriteStream(join(dir, 'bomb.jsonl.gz')));
    const run = await ingestMeasured(dir, 'bomb.jsonl.gz');
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^error: bomb\.jsonl\.gz: decompresses to over 200 times its compressed size .* likely decompression bomb/m);
    expect(await storedFiles(dir)).toEqual([]);
  }, 300_000);

  it('refuses a zstd bomb of 32 GB within bounded memory', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bomb.jsonl.zst'), zstdRleBomb(250_000, 10));
    const run = await ingestMeasured(dir, 'bomb.jsonl.zst');
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^error: bomb\.jsonl\.zst: decompresses to over 200 times its compressed size/m);
  }, 300_000);

  it('rejects a 50 MB line with its size and hash, and loads the lines around it', async () => {
    const dir = tempDir();
    const long = JSON.stringify(record({ session_id: 'x'.repeat(50 * 1000 * 1000) }));
    writeFile(dir, 'long.jsonl', jsonl([record({ session_id: 'before' }), long, record({ session_id: 'after' })]));
    const run = await ingestMeasured(dir, 'long.jsonl');
    expect(run.code).toBe(0);
    expect(await storedFiles(dir)).toEqual([{ path: 'long.jsonl', lines_read: 3, loaded: 2, rejected: 1 }]);
    const db = await Database.open(join(dir, 'h.duckdb'), { readOnly: true });
    try {
      expect(await db.one('SELECT reason, raw_bytes, length(raw) AS kept FROM rejects')).toEqual({ reason: `line too long: ${long.length} bytes, over the limit of ${MAX_LINE_BYTES} bytes`, raw_bytes: long.length, kept: 4096 });
    } finally {
      db.close();
    }
  }, 300_000);

  it('rejects 100,000 levels of nesting as lines, within bounded memory', async () => {
    const dir = tempDir();
    writeFile(dir, 'nested.jsonl', jsonl(['['.repeat(100_000) + ']'.repeat(100_000), '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), record()]));
    const run = await ingestMeasured(dir, 'nested.jsonl');
    expect(run.code).toBe(0);
    expect(await storedFiles(dir)).toEqual([{ path: 'nested.jsonl', lines_read: 3, loaded: 1, rejected: 2 }]);
  }, 300_000);

  it(`loads a folder of ${MANY_FILES.toLocaleString('en-US')} tiny files, each once, within bounded memory`, async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'many'));
    for (let i = 0; i < MANY_FILES; i++) writeFileSync(join(dir, 'many', `f${String(i).padStart(5, '0')}.jsonl`), JSON.stringify(record({ session_id: `m${i}` })) + '\n');
    const run = await ingestMeasured(dir, 'many');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${MANY_FILES} files: ${MANY_FILES} loaded, 0 already ingested, 0 failed`);
    expect(run.stdout).toContain(`lines read ${MANY_FILES.toLocaleString('en-US')} = loaded ${MANY_FILES.toLocaleString('en-US')} + duplicates 0 + rejected 0 (adds up)`);
    const stored = await storedFiles(dir);
    expect(stored).toHaveLength(MANY_FILES);
    expect(stored.every((f) => f.lines_read === 1 && f.loaded === 1)).toBe(true);
  }, 1_800_000);
});
