/** Shared checks for the ingest tests: stored rows, and the registry against the tables. */
import { expect } from 'vitest';
import type { Database, Row } from '../../src/db/database.js';

/** The connections table without file ids, in line order per file. */
export async function storedConnections(db: Database): Promise<Row[]> {
  return db.all('SELECT * EXCLUDE (file_id) FROM connections ORDER BY file_id, line_no');
}

export async function storedRejects(db: Database): Promise<Row[]> {
  return db.all(`SELECT f.path, r.line_no, r.reason FROM rejects r JOIN ingested_files f USING (file_id) ORDER BY r.file_id, r.line_no`);
}

/**
 * Every registry entry's counts add up and equal its rows in connections,
 * duplicates and rejects; no (file_id, line_no, part) is stored twice (a source
 * record may give several attempts on one line: docs/sources.md).
 */
export async function expectRegistryMatchesTables(db: Database): Promise<void> {
  const entries = await db.all(`
    SELECT f.file_id, f.path, f.lines_read, f.loaded, f.duplicates, f.rejected,
      (SELECT count(*) FROM connections c WHERE c.file_id = f.file_id) AS connection_rows,
      (SELECT count(*) FROM duplicates d WHERE d.file_id = f.file_id) AS duplicate_rows,
      (SELECT count(*) FROM rejects r WHERE r.file_id = f.file_id) AS reject_rows
    FROM ingested_files f ORDER BY f.file_id`);
  for (const e of entries) {
    expect(e.lines_read, `${e.path}: read = loaded + duplicates + rejected`).toBe((e.loaded as number) + (e.duplicates as number) + (e.rejected as number));
    expect({ path: e.path, loaded: e.connection_rows, duplicates: e.duplicate_rows, rejected: e.reject_rows }).toEqual({
      path: e.path,
      loaded: e.loaded,
      duplicates: e.duplicates,
      rejected: e.rejected,
    });
  }
  const repeated = await db.all(`
    SELECT file_id, line_no, part, count(*) AS n FROM (
      SELECT file_id, line_no, part FROM connections UNION ALL
      SELECT file_id, line_no, part FROM duplicates UNION ALL
      SELECT file_id, line_no, part FROM rejects)
    GROUP BY ALL HAVING count(*) > 1`);
  expect(repeated).toEqual([]);
}
