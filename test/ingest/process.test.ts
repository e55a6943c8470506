/**
 * End-to-end tests that run the built CLI (dist/cli.js) as separate processes:
 * the lock held by another process, and a process killed mid-ingest (a few
 * fixed moments here; the reliability suite runs many random ones).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { CLI, ensureBuilt, runCliProcess } from '../support/cli-process.js';
import { jsonl, record, tempDir, writeFile } from '../helpers.js';
import { FILES, crashIngestTrials, writeLogs } from './crash-trials.js';

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

describe('a process killed while it creates the database', () => {
  it('leaves no database or a whole one, never a file that a rerun cannot open', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/a.jsonl', jsonl([record(), record({ session_id: 's2' })]));
    const dbPath = join(dir, 'new.duckdb');
    for (let trial = 0; trial < 5; trial++) {
      for (const suffix of ['', '.wal']) rmSync(dbPath + suffix, { force: true });
      // SIGKILL the moment the database's name appears: DuckDB is then still writing the
      // header blocks of a file it creates in place.
      const child = spawn(process.execPath, [CLI, 'ingest', 'logs', '--db', 'new.duckdb'], { cwd: dir, stdio: 'ignore' });
      const deadline = Date.now() + 20_000;
      while (!existsSync(dbPath) && Date.now() < deadline) {
        // Busy-waiting on purpose: a timer would let the creation finish first.
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
      expect(existsSync(dbPath), `trial ${trial}: the run never created the database`).toBe(true);
      (await Database.open(dbPath, { readOnly: true })).close();

      const rerun = await runCliProcess(['ingest', 'logs', '--db', 'new.duckdb'], dir);
      expect(rerun.code, `trial ${trial}: ${rerun.stderr}`).toBe(0);
      expect(rerun.stdout).toMatch(/^1 file: [01] loaded, [01] already ingested, 0 failed$/m);
      const db = await Database.open(dbPath, { readOnly: true });
      expect(await db.one('SELECT count(*) AS n FROM connections')).toEqual({ n: 2 });
      db.close();
      // What the killed run left under a temporary name is gone.
      expect(readdirSync(dir).filter((name) => name.includes('.creating-'))).toEqual([]);
    }
  }, 60_000);
});

describe('a process killed mid-ingest', () => {
  it('leaves a consistent database that a rerun completes with exact counts', async () => {
    const dir = tempDir();
    const expected = writeLogs(dir);
    // 30 malformed lines per file; 300 in-file repeats per file; 300 repeats of the previous file in each of files 2-10.
    expect(expected).toEqual({ linesRead: 300_000, loaded: 294_000, duplicates: 5_700, rejected: 300 });
    const delays = [0, 150, 400, 800, 1500];
    let next = 0;
    const trials = await crashIngestTrials(dir, expected, 3, () => delays[next++ % delays.length]!);
    // One kill came after its run had committed some files and before all of them.
    expect(trials.some((t) => t.signal === 'SIGKILL' && t.entries > t.entriesBefore && t.entries < FILES), JSON.stringify(trials)).toBe(true);
  }, 90_000);

  it('leaves whole batches of small files, never part of one, and a rerun completes with exact counts', async () => {
    const dir = tempDir();
    // 60 files of 1,000 lines (about 150 KB each): 7 JSON Lines, 52 gzip, 1 CSV, so two batches and a file alone.
    const files = 60;
    const expected = writeLogs(dir, { files, linesPerFile: 1_000 });
    expect(expected).toEqual({ linesRead: 60_000, loaded: 58_750, duplicates: 1_190, rejected: 60 });
    const delays = [0, 100, 250, 500, 900];
    let next = 0;
    const trials = await crashIngestTrials(dir, expected, 3, () => delays[next++ % delays.length]!, files);
    expect(trials.some((t) => t.signal === 'SIGKILL' && t.entries > t.entriesBefore && t.entries < files), JSON.stringify(trials)).toBe(true);
  }, 90_000);
});
