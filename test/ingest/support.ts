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
 * duplicates and rejects; no (file_id, line_no) is stored twice.
 */
export async function expectRegistryMatchesTables(db: Database): Promise<void> {
  const entries = await db.all(`
    SELECT f.file_id, f.lines_read, f.loaded, f.duplicates, f.rejected,
      (SELECT count(*) FROM connections c WHERE c.file_id = f.file_id) AS connection_rows,
      (SELECT count(*) FROM duplicates d WHERE d.file_id = f.file_id) AS duplicate_rows,
      (SELECT count(*) FROM rejects r WHERE r.file_id = f.file_id) AS reject_rows
    FROM ingested_files f ORDER BY f.file_id`);
  for (const e of entries) {
    expect(e.lines_read, `file ${e.file_id}`).toBe((e.loaded as number) + (e.duplicates as number) + (e.rejected as number));
    expect({ file_id: e.file_id, loaded: e.connection_rows, duplicates: e.duplicate_rows, rejected: e.reject_rows }).toEqual({
      file_id: e.file_id,
      loaded: e.loaded,
      duplicates: e.duplicates,
      rejected: e.rejected,
    });
  }
  const repeated = await db.one(`
    SELECT count(*) AS n FROM (
      SELECT file_id, line_no FROM (
        SELECT file_id, line_no FROM connections UNION ALL
        SELECT file_id, line_no FROM duplicates UNION ALL
        SELECT file_id, line_no FROM rejects)
      GROUP BY ALL HAVING count(*) > 1)`);
  expect(repeated.n).toBe(0);
}
