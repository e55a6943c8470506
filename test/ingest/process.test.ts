/**
 * End-to-end tests that run the built CLI (dist/cli.js) as separate processes:
 * the lock held by another process, and a process killed mid-ingest.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { jsonl, record, tempDir, writeFile } from '../helpers.js';
import { expectRegistryMatchesTables } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/. */
function ensureBuilt(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in `cwd`. With `kill`, sends SIGKILL `afterMs` after the run first
 * changes the database files (creates them, replays the log of a killed run, or
 * commits a file), so the moments depend on the run's progress, not the machine's speed.
 */
function runCliProcess(args: string[], cwd: string, kill?: { dbPath: string; afterMs: number }): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const before = kill ? databaseFilesState(kill.dbPath) : '';
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timer: NodeJS.Timeout | null = null;
    const poll = kill
      ? setInterval(() => {
          if (databaseFilesState(kill.dbPath) === before) return;
          clearInterval(poll!);
          timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
        }, 2)
      : null;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function databaseFilesState(dbPath: string): string {
  return [dbPath, `${dbPath}.wal`].map((path) => (existsSync(path) ? `${statSync(path).size}@${statSync(path).mtimeMs}` : '-')).join(' ');
}

beforeAll(() => {
  ensureBuilt();
}, 120_000);

describe('a second process on a database in use', () => {
  it('gets exit code 2 and a message that the database is in use by another process; nothing is damaged', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/a.jsonl', jsonl([record(), record({ session_id: 's2' })]));
    const dbPath = join(dir, 'held.duckdb');
    const holder = await Database.open(dbPath);
    try {
      await holder.run('CREATE TABLE kept (x INTEGER)');
      await holder.run('INSERT INTO kept VALUES (42)');
      for (const args of [['ingest', 'logs'], ['rejects'], ['query', 'SELECT 1']]) {
        const second = await runCliProcess([...args, '--db', 'held.duckdb'], dir);
        expect(second.code, args[0]).toBe(2);
        expect(second.stderr, args[0]).toContain(`routeaudit: database "${dbPath}" is in use by another process (PID ${process.pid}); wait for that run to finish, or use another --db`);
        expect(second.stdout, args[0]).toBe('');
      }
      expect(await holder.all('SELECT x FROM kept')).toEqual([{ x: 42 }]);
    } finally {
      holder.close();
    }
    const after = await runCliProcess(['ingest', 'logs', '--db', 'held.duckdb'], dir);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('lines read 2 = loaded 2 + duplicates 0 + rejected 0 (adds up)');
  });
});

const FILES = 10;
const LINES_PER_FILE = 30_000;

interface Expected {
  linesRead: number;
  loaded: number;
  duplicates: number;
  rejected: number;
}

/**
 * Ten logs (7 JSONL, 2 gzip JSONL, 1 CSV) of 30,000 lines. Every 1000th line is
 * malformed; line i%100=50 repeats the previous file's line i; line i%100=77
 * repeats the line before it. The totals are counted while writing.
 */
function writeLogs(dir: string): Expected {
  const seen = new Set<string>();
  const expected: Expected = { linesRead: 0, loaded: 0, duplicates: 0, rejected: 0 };
  const start = Date.UTC(2020, 3, 1);
  const columns = ['ts', 'session_id', 'dc_id', 'outcome', 'tier', 'attempt', 'latency_ms', 'client_country', 'traffic'] as const;
  let previous: (Record<string, string | number> | null)[] = [];
  for (let f = 0; f < FILES; f++) {
    const current: (Record<string, string | number> | null)[] = [];
    for (let i = 0; i < LINES_PER_FILE; i++) {
      let rec: Record<string, string | number> | null;
      if (i % 1000 === 999) rec = null;
      else if (i % 100 === 50 && f > 0) rec = previous[i]!;
      else if (i % 100 === 77) rec = current[i - 1]!;
      else {
        rec = {
          ts: new Date(start + (f * LINES_PER_FILE + i) * 1000).toISOString(),
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
    if (f === FILES - 1) {
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

describe('a process killed mid-ingest', () => {
  it('leaves a consistent database that a rerun completes with exact counts', async () => {
    const dir = tempDir();
    const expected = writeLogs(dir);
    // 30 malformed lines per file; 300 in-file repeats per file; 300 repeats of the previous file in each of files 2-10.
    expect(expected).toEqual({ linesRead: 300_000, loaded: 294_000, duplicates: 5_700, rejected: 300 });
    const dbPath = join(dir, 'crash.duckdb');

    const trials: { afterMs: number; signal: string | null; entries: number }[] = [];
    for (const afterMs of [0, 150, 400, 800, 1500]) {
      const outcome = await runCliProcess(['ingest', 'logs', '--db', 'crash.duckdb'], dir, { dbPath, afterMs });
      trials.push({ afterMs, signal: outcome.signal, entries: await inspect(dbPath) });
    }
    // The kills interrupted runs in progress: most trials died, and one died after committing some files but not all.
    const report = JSON.stringify(trials);
    expect(trials.filter((t) => t.signal === 'SIGKILL').length, report).toBeGreaterThanOrEqual(3);
    expect(trials.some((t, i) => t.signal === 'SIGKILL' && t.entries > (trials[i - 1]?.entries ?? 0) && t.entries < FILES), report).toBe(true);
    for (let i = 1; i < trials.length; i++) expect(trials[i]!.entries, report).toBeGreaterThanOrEqual(trials[i - 1]!.entries);

    const final = await runCliProcess(['ingest', 'logs', '--db', 'crash.duckdb'], dir);
    expect(final.code, final.stderr).toBe(0);
    expect(final.stdout).toMatch(new RegExp(`^${FILES} files: \\d+ loaded, \\d+ already ingested, 0 failed$`, 'm'));

    const db = await Database.open(dbPath, { readOnly: true });
    try {
      expect(await db.one('SELECT count(*) AS entries, sum(lines_read) AS lines_read, sum(loaded) AS loaded, sum(duplicates) AS duplicates, sum(rejected) AS rejected FROM ingested_files')).toEqual({
        entries: FILES,
        lines_read: expected.linesRead,
        loaded: expected.loaded,
        duplicates: expected.duplicates,
        rejected: expected.rejected,
      });
      expect(await db.one('SELECT count(*) AS n FROM connections')).toEqual({ n: expected.loaded });
      expect(await db.one('SELECT count(*) AS n FROM (SELECT DISTINCT * EXCLUDE (file_id, line_no) FROM connections)')).toEqual({ n: expected.loaded });
      expect(await db.one('SELECT count(DISTINCT path) AS n FROM ingested_files')).toEqual({ n: FILES });
      await expectRegistryMatchesTables(db);
    } finally {
      db.close();
    }
  }, 90_000);
});
