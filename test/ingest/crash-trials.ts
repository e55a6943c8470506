/**
 * Kill-during-ingest trials, shared by test/ingest/process.test.ts (a few fixed
 * moments) and the reliability suite (many random ones): `routeaudit ingest` is
 * SIGKILLed at chosen moments over 300,000 lines in ten files; after every kill
 * the database must be consistent, and every run that completes must have
 * loaded each line exactly once.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Database } from '../../src/db/database.js';
import { databaseFilesState, runCliProcess } from '../support/cli-process.js';
import { jsonl, record, writeFile } from '../helpers.js';
import { expectRegistryMatchesTables } from './support.js';

export const FILES = 10;
const LINES_PER_FILE = 30_000;

/** How many logs, of how many lines: large ones are ingested one by one, small ones (up to 1 MiB) in batches. */
export interface LogsShape {
  files: number;
  linesPerFile: number;
}
const LARGE: LogsShape = { files: FILES, linesPerFile: LINES_PER_FILE };

export interface Expected {
  linesRead: number;
  loaded: number;
  duplicates: number;
  rejected: number;
}

/**
 * Ten logs (7 JSONL, 2 gzip JSONL, 1 CSV) of 30,000 lines (or as `shape` says: the
 * first 7 JSONL, the last CSV, gzip JSONL between). Every 1000th line is
 * malformed; line i%100=50 repeats the previous file's line i; line i%100=77
 * repeats the line before it. The totals are counted while writing.
 */
export function writeLogs(dir: string, shape: LogsShape = LARGE): Expected {
  const { files, linesPerFile } = shape;
  const seen = new Set<string>();
  const expected: Expected = { linesRead: 0, loaded: 0, duplicates: 0, rejected: 0 };
  const start = Date.UTC(2020, 3, 1);
  const columns = ['ts', 'session_id', 'dc_id', 'outcome', 'tier', 'attempt', 'latency_ms', 'client_country', 'traffic'] as const;
  let previous: (Record<string, string | number> | null)[] = [];
  for (let f = 0; f < files; f++) {
    const current: (Record<string, string | number> | null)[] = [];
    for (let i = 0; i < linesPerFile; i++) {
      let rec: Record<string, string | number> | null;
      if (i % 1000 === 999) rec = null;
      else if (i % 100 === 50 && f > 0) rec = previous[i]!;
      else if (i % 100 === 77) rec = current[i - 1]!;
      else {
        rec = {
          ts: new Date(start + (f * linesPerFile + i) * 1000).toISOString(),
          session_id: `s${f}-${Math.floor(i / 4)}`,
          dc_id: ['us-sjc1', 'us-iad1', 'cn-bj1'][i % 3]!,
          outcome: ['connected', 'timeout', 'refused', 'error'][i % 4]!,
          tier: i % 2 === 0 ? 'primary' : 'secondary',
          attempt: (i % 4) + 1,
          latency_ms: (i * 7) % 6000,
          client_country: ['US', 'CA', 'CN'][i % 3]!,
          traffic: 'media',
        };
      }
      current.push(rec);
      expected.linesRead++;
      if (rec === null) expected.rejected++;
      else {
        const key = columns.map((c) => rec![c]).join('\u0000');
        if (seen.has(key)) expected.duplicates++;
        else {
          seen.add(key);
          expected.loaded++;
        }
      }
    }
    const name = `logs/f${String(f).padStart(2, '0')}`;
    if (f === files - 1) {
      const lines = current.map((r, i) => (r === null ? (i % 2000 === 999 ? 'a,"b' : 'x,y') : columns.map((c) => r[c]).join(',')));
      writeFile(dir, `${name}.csv`, [columns.join(','), ...lines].join('\n') + '\n');
    } else {
      const lines = current.map((r, i) => (r === null ? (i % 2000 === 999 ? '{"ts": truncated' : JSON.stringify(record({ outcome: 'maybe' }))) : r));
      if (f >= 7) writeFile(dir, `${name}.jsonl.gz`, jsonl(lines), 'gzip');
      else writeFile(dir, `${name}.jsonl`, jsonl(lines));
    }
    previous = current;
  }
  return expected;
}

/** Opens the database read-only (as a fresh process would after the kill), checks it is consistent, and counts the registry entries. */
async function inspect(dbPath: string): Promise<number> {
  if (!existsSync(dbPath)) return 0;
  const db = await Database.open(dbPath, { readOnly: true });
  try {
    const { n } = await db.one<{ n: number }>(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'ingested_files'`);
    if (n === 0) return 0;
    await expectRegistryMatchesTables(db);
    return (await db.one<{ entries: number }>('SELECT count(*) AS entries FROM ingested_files')).entries;
  } finally {
    db.close();
  }
}

/** Every file registered once, every line counted once, no record stored twice. */
async function expectExactlyOnce(dbPath: string, expected: Expected, files: number, context: string): Promise<void> {
  const db = await Database.open(dbPath, { readOnly: true });
  try {
    expect(await db.one('SELECT count(*) AS entries, sum(lines_read) AS lines_read, sum(loaded) AS loaded, sum(duplicates) AS duplicates, sum(rejected) AS rejected FROM ingested_files'), context).toEqual({
      entries: files,
      lines_read: expected.linesRead,
      loaded: expected.loaded,
      duplicates: expected.duplicates,
      rejected: expected.rejected,
    });
    expect(await db.one('SELECT count(*) AS n FROM connections'), context).toEqual({ n: expected.loaded });
    expect(await db.one('SELECT count(*) AS n FROM (SELECT DISTINCT * EXCLUDE (file_id, line_no) FROM connections)'), context).toEqual({ n: expected.loaded });
    expect(await db.one('SELECT count(DISTINCT path) AS n FROM ingested_files'), context).toEqual({ n: files });
    await expectRegistryMatchesTables(db);
  } finally {
    db.close();
  }
}

export interface Trial {
  afterMs: number;
  signal: NodeJS.Signals | null;
  code: number | null;
  /** Registry entries before and after the run. */
  entriesBefore: number;
  entries: number;
}

/**
 * Runs `routeaudit ingest logs` in `dir` (logs from writeLogs), each run SIGKILLed
 * `nextDelay()` ms after it first changes the database files, until `kills` runs
 * died that way. After each run the database must be consistent, with no fewer
 * entries than before; a run that completes must have stored every line exactly
 * once, and the database is then removed so that the next trials start over. A
 * final normal run must complete with exact counts.
 */
export async function crashIngestTrials(dir: string, expected: Expected, kills: number, nextDelay: () => number, files = FILES): Promise<Trial[]> {
  const dbPath = join(dir, 'crash.duckdb');
  const trials: Trial[] = [];
  let entries = 0;
  while (trials.filter((t) => t.signal === 'SIGKILL').length < kills) {
    if (trials.length >= kills * 4) throw new Error(`only ${trials.filter((t) => t.signal === 'SIGKILL').length} of ${trials.length} runs were killed: ${JSON.stringify(trials)}`);
    const afterMs = Math.round(nextDelay());
    const outcome = await runCliProcess(['ingest', 'logs', '--db', 'crash.duckdb'], dir, { kill: { state: () => databaseFilesState(dbPath), afterMs } });
    const trial = { afterMs, signal: outcome.signal, code: outcome.code, entriesBefore: entries, entries: await inspect(dbPath) };
    trials.push(trial);
    const context = JSON.stringify(trials);
    expect(trial.entries, context).toBeGreaterThanOrEqual(entries);
    entries = trial.entries;
    if (outcome.signal === null) {
      expect(outcome.code, outcome.stderr).toBe(0);
      await expectExactlyOnce(dbPath, expected, files, context);
      for (const suffix of ['', '.wal']) rmSync(dbPath + suffix, { force: true });
      entries = 0;
    }
  }
  const final = await runCliProcess(['ingest', 'logs', '--db', 'crash.duckdb'], dir);
  expect(final.code, final.stderr).toBe(0);
  expect(final.stdout).toMatch(new RegExp(`^${files} files: \\d+ loaded, \\d+ already ingested, 0 failed$`, 'm'));
  await expectExactlyOnce(dbPath, expected, files, JSON.stringify(trials));
  return trials;
}
