import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database, SqlParams } from './db/database.js';
import type { ColumnKind, RowOf, RowShape } from './db/shape.js';

/** The queries/ folder; the same relative place from src/ (tests) and dist/ (built CLI). */
export const QUERIES_DIR = fileURLToPath(new URL('../queries/', import.meta.url));

const cache = new Map<string, string>();

/** Reads a SQL file under queries/ once per process. */
export function loadQuery(relativePath: string): string {
  let sql = cache.get(relativePath);
  if (sql === undefined) {
    sql = readFileSync(QUERIES_DIR + relativePath, 'utf8');
    cache.set(relativePath, sql);
  }
  return sql;
}

/** The rows of a file under queries/, checked against their shape (src/db/shape.ts): a ShapeError names the file. */
export function queryRows<C extends Record<string, ColumnKind>>(db: Database, shape: RowShape<C>, file: string, params?: SqlParams): Promise<RowOf<C>[]> {
  return db.rows(shape, `queries/${file}`, loadQuery(file), params);
}

/** queryRows, one row at a time as the database produces them, for results too large to hold whole (Database.streamRows). */
export async function* streamQueryRows<C extends Record<string, ColumnKind>>(db: Database, shape: RowShape<C>, file: string, params?: SqlParams): AsyncGenerator<RowOf<C>> {
  for await (const page of db.streamRows(shape, `queries/${file}`, loadQuery(file), params)) yield* page;
}

/** queryRows, for a file whose query returns exactly one row. */
export function queryRow<C extends Record<string, ColumnKind>>(db: Database, shape: RowShape<C>, file: string, params?: SqlParams): Promise<RowOf<C>> {
  return db.oneRow(shape, `queries/${file}`, loadQuery(file), params);
}
