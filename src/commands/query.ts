import { resolveDatabasePath, withDatabase, type QueryResult } from '../db/database.js';
import { ExitCode, UserError } from '../errors.js';
import type { Io } from '../io.js';
import { toArrowIpc } from '../report/arrow.js';
import { csvRecord } from '../report/csv-cell.js';
import { formatTable } from '../report/table.js';

export type QueryFormat = 'table' | 'json' | 'csv' | 'arrow';

/**
 * Ad hoc SQL for analysts. The database is opened read-only and with external
 * access disabled: a query cannot modify it, nor read or write other files.
 */
export async function queryCommand(options: { sql: string; db: string; format: QueryFormat }, io: Io): Promise<ExitCode> {
  const result = await withDatabase(resolveDatabasePath(options.db, io.cwd), { readOnly: true, externalAccess: false }, async (db) => {
    if (options.sql.trim() === '') throw new UserError('query failed: no SQL given, e.g. routeaudit query "SELECT count(*) FROM connections"');
    try {
      const statements = await db.statementCount(options.sql);
      if (statements !== 1) throw new UserError(`query failed: expected one SQL statement, got ${statements}; run them one at a time`);
      return await db.query(options.sql);
    } catch (error) {
      if (error instanceof UserError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new UserError(`query failed: ${message.replace(/^Failed to extract statements: /, '')}`);
    }
  });
  switch (options.format) {
    case 'arrow':
      io.stdoutBytes(toArrowIpc(result));
      break;
    case 'json':
      io.stdout(JSON.stringify(result.rows, null, 2) + '\n');
      break;
    case 'csv':
      io.stdout(toCsv(result));
      break;
    case 'table':
      io.stdout(formatTable(result.columns.map((c) => c.name), result.rows.map((row) => result.columns.map((c) => tableCell(row[c.name])))));
      io.stdout(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})\n`);
      break;
  }
  return ExitCode.ok;
}

function tableCell(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

function toCsv(result: QueryResult): string {
  // Query output feeds programs: values are written exactly, without the spreadsheet guard.
  const lines = [csvRecord(result.columns.map((c) => c.name), false)];
  for (const row of result.rows) {
    lines.push(csvRecord(result.columns.map((c) => {
      const value = row[c.name];
      return value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    }), false));
  }
  return lines.join('');
}
