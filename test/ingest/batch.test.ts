/**
 * Small files are ingested in batches (src/ingest/batch.ts). A batch must store exactly what
 * ingesting its files one by one, in order, stores: the same records under the same file ids,
 * the same duplicates with the same originals, the same rejects, registry and results.
 */
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/database.js';
import * as batchModule from '../../src/ingest/batch.js';
import { discoverLogFiles } from '../../src/ingest/discover.js';
import { ingestFiles, type FileResult } from '../../src/ingest/ingester.js';
import { identityMapping } from '../../src/ingest/mapping.js';
import { FIXED_NOW, jsonl, memoryDb, record, tempDir, writeFile } from '../helpers.js';
import { expectRegistryMatchesTables } from './support.js';

// Records what each batch returned, calling the real implementation.
vi.mock('../../src/ingest/batch.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/ingest/batch.js')>();
  return { ...original, ingestBatch: vi.fn((...args: Parameters<typeof original.ingestBatch>) => original.ingestBatch(...args)) };
});

const ROOT = join(import.meta.dirname, '..', '..');
const r = (n: number, overrides: Record<string, unknown> = {}) =>
  record({ session_id: `s${n}`, ts: `2020-04-01T08:${String(n).padStart(2, '0')}:00Z`, ...overrides });

/** Logs whose files exercise every way a record of one file relates to another's. */
function writeLogs(dir: string): void {
  const a = jsonl([r(1), r(2), r(2), '{"ts": broken', r(3)]);
  writeFile(dir, 'logs/01-a.jsonl', a);
  writeFile(dir, 'logs/02-b.jsonl', jsonl([r(1), r(6), r(6), r(7), r(3)])); // copies of a's first copies, and its own
  writeFile(dir, 'logs/03-c.jsonl', a); // a's content: already ingested
  writeFile(dir, 'logs/04-d.jsonl', jsonl([{ ts: '2020-04-01T09:00:00Z', dc_id: 'x', outcome: 'connected' }])); // no session_id: refused whole
  writeFile(dir, 'logs/05-e.jsonl', jsonl([r(6), r(8)]).replaceAll('\n', '\r\n').slice(0, -2)); // CRLF, no final newline
  writeFile(dir, 'logs/06-f.jsonl', ''); // empty
  writeFile(dir, 'logs/07-g.jsonl', jsonl([r(40), r(40), r(41, { tier: 'bogus' })])); // r40 equals a stored record
  writeFile(dir, 'logs/08-h.jsonl', jsonl([r(40), r(2)])); // g's copy of a stored record, and a's
  writeFile(dir, 'logs/09-i.jsonl', jsonl([r(3, { user_id: null }), r(9, { meeting_id: 'm' })])); // null vs absent: equal
  // A Zoom export between them: read by its source, alone, ending the batch.
  copyFileSync(join(ROOT, 'sample-logs/sources/zoom/participants-85000000001.json'), join(dir, 'logs/10-zoom.json'));
  writeFile(dir, 'logs/11-j.jsonl', jsonl([r(1), r(10)]));
  writeFile(dir, 'logs/12-k.jsonl', jsonl([r(10), r(11)]));
  // A gzip run: another batch.
  writeFile(dir, 'logs/13-l.jsonl.gz', jsonl([r(11), r(12), r(12)]), 'gzip');
  writeFile(dir, 'logs/14-m.jsonl.gz', jsonl([r(12), r(13)]), 'gzip');
  // Invalid UTF-8 in a plain run: DuckDB's reader refuses the batch, so each of its files goes alone.
  writeFile(dir, 'logs/15-n.jsonl', Buffer.concat([Buffer.from(jsonl([r(14)])), Buffer.from('{"ts":"2020-04-01T08:15:00Z","session_id":"\xff"}\n', 'latin1')]));
  writeFile(dir, 'logs/16-o.jsonl', jsonl([r(14), r(15)]));
}

/** Everything an ingest stores, but the stat cache (the files were just written: racy, never cached). */
async function snapshot(db: Database) {
  return {
    connections: await db.all('SELECT * FROM connections ORDER BY file_id, line_no, part'),
    duplicates: await db.all('SELECT * FROM duplicates ORDER BY file_id, line_no, part'),
    rejects: await db.all('SELECT * FROM rejects ORDER BY file_id, line_no, part'),
    files: await db.all('SELECT * FROM ingested_files ORDER BY file_id'),
  };
}

const options = { mapping: identityMapping(), now: () => FIXED_NOW };

async function ingestTogether(db: Database, dir: string): Promise<FileResult[]> {
  return (await ingestFiles(db, discoverLogFiles(['logs'], 'auto', dir).files, options)).files;
}

async function ingestOneByOne(db: Database, dir: string): Promise<FileResult[]> {
  const results: FileResult[] = [];
  for (const file of discoverLogFiles(['logs'], 'auto', dir).files) results.push(...(await ingestFiles(db, [file], options)).files);
  return results;
}

/** Two databases that already hold one file, whose r40 the logs repeat. */
async function twoDatabases(dir: string): Promise<[Database, Database]> {
  writeFile(dir, 'old/00-old.jsonl', jsonl([r(40), r(50)]));
  const dbs: [Database, Database] = [await memoryDb(), await memoryDb()];
  for (const db of dbs) await ingestFiles(db, discoverLogFiles(['old'], 'auto', dir).files, options);
  return dbs;
}

describe('batches of small files', () => {
  it('store exactly what ingesting the files one by one stores: records, duplicates and their originals, rejects, registry, results', async () => {
    const dir = tempDir();
    writeLogs(dir);
    const [together, oneByOne] = await twoDatabases(dir);
    const batches = vi.mocked(batchModule.ingestBatch);
    batches.mockClear();

    const batched = await ingestTogether(together, dir);
    const single = await ingestOneByOne(oneByOne, dir);
    expect(batched).toEqual(single);
    expect(await snapshot(together)).toEqual(await snapshot(oneByOne));
    await expectRegistryMatchesTables(together);

    // It did batch: 01-09 as one batch, 11-12 and 13-14 as two more; 15-16 could not be staged together.
    const returned = await Promise.all(batches.mock.results.map(async (call) => ((await call.value) as FileResult[] | null)?.map((f) => f.path.split('/').pop()) ?? null));
    expect(returned).toContainEqual(['01-a.jsonl', '02-b.jsonl', '03-c.jsonl', '04-d.jsonl', '05-e.jsonl', '06-f.jsonl', '07-g.jsonl', '08-h.jsonl', '09-i.jsonl']);
    expect(returned).toContainEqual(['11-j.jsonl', '12-k.jsonl']);
    expect(returned).toContainEqual(['13-l.jsonl.gz', '14-m.jsonl.gz']);
    expect(returned).toContainEqual(null);

    // The relations the fixture was written for, as stored.
    const byName = Object.fromEntries(batched.map((f) => [f.path.split('/').pop(), f]));
    expect(byName['03-c.jsonl']).toMatchObject({ status: 'already-ingested', note: 'same content as logs/01-a.jsonl', fileId: byName['01-a.jsonl']!.fileId });
    expect(byName['04-d.jsonl']).toMatchObject({ status: 'failed' });
    expect(byName['04-d.jsonl']!.note).toContain('no record has required field "session_id"');
    const originals = await together.all(`
      SELECT f.path, d.line_no, o.path AS original, d.original_line_no
      FROM duplicates d JOIN ingested_files f USING (file_id) JOIN ingested_files o ON o.file_id = d.original_file_id
      WHERE f.path IN ('logs/07-g.jsonl', 'logs/08-h.jsonl') ORDER BY f.path, d.line_no`);
    expect(originals).toEqual([
      { path: 'logs/07-g.jsonl', line_no: 1, original: 'old/00-old.jsonl', original_line_no: 1 },
      { path: 'logs/07-g.jsonl', line_no: 2, original: 'logs/07-g.jsonl', original_line_no: 1 },
      { path: 'logs/08-h.jsonl', line_no: 1, original: 'old/00-old.jsonl', original_line_no: 1 },
      { path: 'logs/08-h.jsonl', line_no: 2, original: 'logs/01-a.jsonl', original_line_no: 2 },
    ]);
  });

  it('end before a file that grew since it was ingested, which resumes after its old lines as it would alone', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/02-grows.jsonl', jsonl([r(1), r(2)]));
    const [together, oneByOne] = await twoDatabases(dir);
    for (const db of [together, oneByOne]) await ingestFiles(db, discoverLogFiles(['logs'], 'auto', dir).files, options);
    appendFileSync(join(dir, 'logs/02-grows.jsonl'), jsonl([r(2), r(3)]));
    writeFile(dir, 'logs/01-before.jsonl', jsonl([r(3), r(4)]));
    writeFile(dir, 'logs/03-after.jsonl', jsonl([r(4), r(5)]));
    writeFile(dir, 'logs/04-copy.jsonl', readFileSync(join(dir, 'logs/01-before.jsonl')));

    const batches = vi.mocked(batchModule.ingestBatch);
    batches.mockClear();
    const batched = await ingestTogether(together, dir);
    const returned = await Promise.all(batches.mock.results.map(async (call) => ((await call.value) as FileResult[] | null)?.map((f) => f.path.split('/').pop()) ?? null));
    // The batch from 02 ends before its first file: 02 goes alone.
    expect(returned).toEqual([['01-before.jsonl'], [], ['03-after.jsonl', '04-copy.jsonl']]);
    expect(batched).toEqual(await ingestOneByOne(oneByOne, dir));
    expect(await snapshot(together)).toEqual(await snapshot(oneByOne));
    expect(batched.map((f) => [f.path, f.status, f.resumedAfterLine, f.linesRead])).toEqual([
      ['logs/01-before.jsonl', 'loaded', null, 2],
      ['logs/02-grows.jsonl', 'loaded', 2, 2],
      ['logs/03-after.jsonl', 'loaded', null, 2],
      ['logs/04-copy.jsonl', 'already-ingested', null, 0],
    ]);
  });

  it('keep every file\'s lines, in order, across a batch of many vectors (40 files of 150 lines, a third of them repeated elsewhere)', async () => {
    const dir = tempDir();
    // Deterministic: record k of file f is new, or a copy of a record of an earlier file or of its own.
    for (let f = 0; f < 40; f++) {
      const lines = Array.from({ length: 150 }, (_, k) => {
        const n = (f * 150 + k) % 3 === 0 ? ((f * 7919 + k * 104729) % (f * 150 + k + 1)) : f * 150 + k;
        return record({ session_id: `s${n}`, ts: `2020-04-01T${String(Math.floor(n / 3600) % 24).padStart(2, '0')}:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}Z` });
      });
      writeFile(dir, `logs/${String(f).padStart(3, '0')}.jsonl`, jsonl(lines));
    }
    const [together, oneByOne] = [await memoryDb(), await memoryDb()];
    const batched = await ingestTogether(together, dir);
    expect(batched).toEqual(await ingestOneByOne(oneByOne, dir));
    expect(await snapshot(together)).toEqual(await snapshot(oneByOne));
    const totals = batched.reduce((t, f) => ({ loaded: t.loaded + f.loaded, duplicates: t.duplicates + f.duplicates }), { loaded: 0, duplicates: 0 });
    expect(totals.loaded + totals.duplicates).toBe(6_000);
    expect(totals.duplicates).toBeGreaterThan(1_000);
  });

  it('halve a batch DuckDB cannot stage, so that the other files stay batched', async () => {
    const dir = tempDir();
    for (let f = 0; f < 8; f++) {
      const bad = f === 5 ? Buffer.from('{"ts":"2020-04-01T08:15:00Z","session_id":"\xff"}\n', 'latin1') : Buffer.alloc(0);
      writeFile(dir, `logs/0${f}.jsonl`, Buffer.concat([Buffer.from(jsonl([r(f), r(f + 1)])), bad]));
    }
    const [together, oneByOne] = [await memoryDb(), await memoryDb()];
    const batches = vi.mocked(batchModule.ingestBatch);
    batches.mockClear();
    const batched = await ingestTogether(together, dir);
    expect(batched).toEqual(await ingestOneByOne(oneByOne, dir));
    expect(await snapshot(together)).toEqual(await snapshot(oneByOne));
    const returned = await Promise.all(batches.mock.results.map(async (call) => ((await call.value) as FileResult[] | null)?.map((f) => f.path.split('/').pop()) ?? null));
    // 00-07 fails; 00-03 batches; 04-07, 04-05 fail, 04 goes alone; 05-07 fails, 05 goes alone; 06-07 batches.
    expect(returned).toEqual([null, ['00.jsonl', '01.jsonl', '02.jsonl', '03.jsonl'], null, null, null, ['06.jsonl', '07.jsonl']]);
  });

  it('settle unchanged files by their stat, naming the source that read each, batched or not', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/01-a.jsonl', jsonl([r(1), r(2)]));
    copyFileSync(join(ROOT, 'sample-logs/sources/zoom/participants-85000000001.json'), join(dir, 'logs/02-zoom.json'));
    writeFile(dir, 'logs/03-b.jsonl', jsonl([r(3)]));
    // Changed over 2 s before they are hashed: the stat cache remembers them (src/ingest/stat-cache.ts).
    await new Promise((done) => setTimeout(done, 2_100));
    const [together, oneByOne] = [await memoryDb(), await memoryDb()];
    await ingestTogether(together, dir);
    await ingestOneByOne(oneByOne, dir);
    writeFile(dir, 'logs/04-c.jsonl', jsonl([r(4)]));
    const again = await ingestTogether(together, dir);
    expect(again).toEqual(await ingestOneByOne(oneByOne, dir));
    expect(await snapshot(together)).toEqual(await snapshot(oneByOne));
    expect(again.map((f) => [f.path, f.status, f.source])).toEqual([
      ['logs/01-a.jsonl', 'already-ingested', 'routeaudit'],
      ['logs/02-zoom.json', 'already-ingested', 'zoom-participants'],
      ['logs/03-b.jsonl', 'already-ingested', 'routeaudit'],
      ['logs/04-c.jsonl', 'loaded', 'routeaudit'],
    ]);
    expect(await together.one('SELECT count(*) AS n FROM file_stat_cache')).toEqual({ n: 3 });
  });
});
