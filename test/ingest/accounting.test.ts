import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ingestCommand } from '../../src/commands/ingest.js';
import { identityMapping } from '../../src/ingest/mapping.js';
import { ingestPaths, jsonl, memoryDb, record, recordingIo, tempDir, writeFile } from '../helpers.js';
import { expectRegistryMatchesTables } from './support.js';

/** Three files: in-file duplicates and rejects, cross-file duplicates, a CSV. */
function writeLogs(dir: string): void {
  writeFile(dir, 'logs/a.jsonl', jsonl([record(), record({ session_id: 's2' }), record(), 'not json', record({ outcome: 'maybe' }), '']));
  writeFile(dir, 'logs/b.jsonl.gz', jsonl([record({ session_id: 's2' }), record({ session_id: 's3' }), record({ session_id: 's3' }), record({ session_id: 's3' }), record({ attempt: 0 })]), 'gzip');
  writeFile(dir, 'logs/c.csv', ['ts,session_id,dc_id,outcome', '2020-04-01T08:00:00Z,s3,us-sjc1,connected', '2020-04-01T08:00:00Z,s4,us-sjc1,connected', 'bad,s5,us-sjc1,connected', ''].join('\n'));
}

const EXPECTED_FILES = [
  // path, read, loaded, duplicates, rejected
  ['logs/a.jsonl', 6, 2, 1, 3],
  ['logs/b.jsonl.gz', 5, 1, 3, 1],
  ['logs/c.csv', 3, 1, 1, 1],
];

describe('accounting', () => {
  it('lines read = loaded + duplicates + rejected, per file and in total, and equal to the stored rows per file', async () => {
    const dir = tempDir();
    writeLogs(dir);
    const db = await memoryDb();
    const summary = await ingestPaths(db, ['logs'], dir);
    expect(summary.files.map((f) => [f.path, f.linesRead, f.loaded, f.duplicates, f.rejected])).toEqual(EXPECTED_FILES);
    for (const f of summary.files) expect(f.linesRead).toBe(f.loaded + f.duplicates + f.rejected);
    expect(summary.totals).toEqual({ linesRead: 14, loaded: 4, duplicates: 5, rejected: 5 });

    expect(await db.all('SELECT path, lines_read, loaded, duplicates, rejected FROM ingested_files ORDER BY file_id')).toEqual(
      EXPECTED_FILES.map(([path, lines_read, loaded, duplicates, rejected]) => ({ path, lines_read, loaded, duplicates, rejected })),
    );
    await expectRegistryMatchesTables(db);
    expect(await db.one('SELECT (SELECT count(*) FROM connections) AS c, (SELECT count(*) FROM duplicates) AS d, (SELECT count(*) FROM rejects) AS r')).toEqual({ c: 4, d: 5, r: 5 });
  });

  it('the ingest command prints the per-file counts and a total that says it adds up', async () => {
    const dir = tempDir();
    writeLogs(dir);
    const io = recordingIo(dir);
    expect(await ingestCommand({ paths: ['logs'], db: join(dir, 'test.duckdb'), format: 'auto', mapping: identityMapping() }, io)).toBe(0);
    const out = io.out.join('');
    expect(out).toContain('3 files: 3 loaded, 0 already ingested, 0 failed\n');
    expect(out).toContain('lines read 14 = loaded 4 + duplicates 5 + rejected 5 (adds up)\n');
    const rows = out.split('\n').filter((line) => line.startsWith('logs/')).map((line) => line.trim().split(/\s+/));
    expect(rows.map((r) => [r[0], ...r.slice(3, 7).map(Number)])).toEqual(EXPECTED_FILES);
  });
});
