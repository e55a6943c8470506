import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
