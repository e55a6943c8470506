import type { Database } from '../db/database.js';
import { loadQuery } from '../queries.js';

export interface RejectRow {
  path: string;
  line_no: number;
  reason: string;
  raw: string | null;
  [key: string]: string | number | null;
}

export async function listRejects(db: Database, limit: number): Promise<{ rows: RejectRow[]; total: number }> {
  const tables = await db.one<{ n: number }>(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'rejects'`);
  if (tables.n === 0) return { rows: [], total: 0 };
  const rows = await db.all<RejectRow>(loadQuery('ingest/list-rejects.sql'), { limit });
  const { total } = await db.one<{ total: number }>('SELECT count(*) AS total FROM rejects');
  return { rows, total };
}
