import { resolveDatabasePath, withDatabase } from '../db/database.js';
import { ExitCode } from '../errors.js';
import { listRejects } from '../ingest/rejects.js';
import type { Io } from '../io.js';
import { formatTable } from '../report/table.js';
import { refuseWorkingCopy } from '../engine.js';

export async function rejectsCommand(options: { db: string; limit: number }, io: Io): Promise<ExitCode> {
  const { rows, total } = await withDatabase(resolveDatabasePath(options.db, io.cwd), { readOnly: true }, async (db) => {
    // A ClickHouse history file holds no rejects: they are in the cluster (docs/clickhouse.md).
    await refuseWorkingCopy(db, options.db);
    return listRejects(db, options.limit);
  });
  if (total === 0) {
    io.stdout('no rejected lines\n');
    return ExitCode.ok;
  }
  io.stdout(formatTable(['file', 'line', 'reason', 'raw'], rows.map((r) => [r.path, r.line_no, r.reason, r.raw === null ? '' : r.raw.length > 120 ? r.raw.slice(0, 119) + '…' : r.raw])));
  io.stdout(`${total} rejected line${total === 1 ? '' : 's'}${total > rows.length ? `, showing the first ${rows.length} (--limit)` : ''}\n`);
  return ExitCode.ok;
}
