import type { Database } from '../db/database.js';
import type { RowOf } from '../db/shape.js';
import { queryRow, queryRows } from '../queries.js';
import { REJECT_COUNT_ROW, REJECT_ROW, REJECTS_TABLE_ROW } from './shapes.js';

export type RejectRow = RowOf<typeof REJECT_ROW.columns>;

export async function listRejects(db: Database, limit: number): Promise<{ rows: RejectRow[]; total: number }> {
  const tables = await queryRow(db, REJECTS_TABLE_ROW, 'ingest/rejects-table.sql');
  if (tables.n === 0) return { rows: [], total: 0 };
  const rows = await queryRows(db, REJECT_ROW, 'ingest/list-rejects.sql', { limit });
  const { total } = await queryRow(db, REJECT_COUNT_ROW, 'ingest/reject-count.sql');
  return { rows, total };
}
