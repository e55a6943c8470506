import { statSync, utimesSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import * as fingerprintModule from '../../src/ingest/fingerprint.js';
import { ingestPaths, jsonl, memoryDb, record, tempDir, writeFile } from '../helpers.js';
import { expectRegistryMatchesTables } from './support.js';

// Counts the content hashing passes, calling the real implementation.
vi.mock('../../src/ingest/fingerprint.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/ingest/fingerprint.js')>();
  return { ...original, fingerprint: vi.fn((...args: Parameters<typeof original.fingerprint>) => original.fingerprint(...args)) };
});
/** Hashing passes so far; each test compares with its own start. */
const hashed = () => vi.mocked(fingerprintModule.fingerprint).mock.calls.length;

/** Longer than the 2 s a file must be left alone before its hash is remembered by its stat. */
const SETTLE_MS = 2_100;

const records = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => record({ session_id: `${prefix}${i + 1}` }));

describe('the stat cache (path, device, inode, size, mtime, ctime -> content hash)', () => {
  it('re-ingests a file left unchanged without reading it again', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/a.jsonl', jsonl(records('a', 3)));
    await sleep(SETTLE_MS);
    const db = await memoryDb();
    const start = hashed();
    expect((await ingestPaths(db, ['logs'], dir)).files.map((f) => f.status)).toEqual(['loaded']);
    expect(hashed() - start).toBe(1);
    expect(await db.one('SELECT count(*) AS n FROM file_stat_cache')).toEqual({ n: 1 });

    const again = await ingestPaths(db, ['logs'], dir);
    expect(again.files.map((f) => [f.status, f.note])).toEqual([['already-ingested', 'same content as logs/a.jsonl']]);
    expect(hashed() - start).toBe(1);
  });

  it('notices a rewrite that keeps the size and restores the mtime (the ctime changes)', async () => {
    const dir = tempDir();
    const path = writeFile(dir, 'logs/a.jsonl', jsonl(records('a', 3)));
    await sleep(SETTLE_MS);
    const db = await memoryDb();
    const start = hashed();
    await ingestPaths(db, ['logs'], dir);
    const before = statSync(path);
    writeFile(dir, 'logs/a.jsonl', jsonl(records('b', 3)));
    utimesSync(path, before.atime, before.mtime);
    expect(statSync(path).size).toBe(before.size);

    const again = await ingestPaths(db, ['logs'], dir);
    expect(again.files.map((f) => [f.status, f.loaded])).toEqual([['loaded', 3]]);
    expect(hashed() - start).toBe(2);
    await expectRegistryMatchesTables(db);
  });

  it('does not remember a file changed just before it was hashed (it could change again within the same clock tick)', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/a.jsonl', jsonl(records('a', 2)));
    const db = await memoryDb();
    const start = hashed();
    await ingestPaths(db, ['logs'], dir);
    expect(await db.one('SELECT count(*) AS n FROM file_stat_cache')).toEqual({ n: 0 });
    const again = await ingestPaths(db, ['logs'], dir);
    expect(again.files.map((f) => f.status)).toEqual(['already-ingested']);
    expect(hashed() - start).toBe(2);
  });
});
