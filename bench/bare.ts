/**
 * The bare baseline, run as its own process like the routeaudit command it is
 * compared with: DuckDB's own JSON reader straight into a table of a database
 * file, with the log's columns typed, and nothing else (no line numbers, no
 * rejects, no duplicates, no registry). With --ignore-errors, bad lines become
 * NULL rows or vanish silently: what routeaudit's rejects are there to prevent.
 *
 *   node bare.js DB_FILE [--ignore-errors] LOG_FILE...
 */
import { rmSync } from 'node:fs';
import { Database, varcharList } from '#routeaudit/db/database.js';

const COLUMNS = `{ts: 'TIMESTAMPTZ', session_id: 'VARCHAR', dc_id: 'VARCHAR', outcome: 'VARCHAR', tier: 'VARCHAR',
  attempt: 'INTEGER', latency_ms: 'INTEGER', account_id: 'VARCHAR', meeting_id: 'VARCHAR', user_id: 'VARCHAR',
  client_ip: 'VARCHAR', client_country: 'VARCHAR', traffic: 'VARCHAR'}`;

const [dbPath, ...rest] = process.argv.slice(2);
const ignoreErrors = rest.includes('--ignore-errors');
const files = rest.filter((a) => a !== '--ignore-errors');
if (!dbPath || files.length === 0) {
  process.stderr.write('usage: bare.js DB_FILE [--ignore-errors] LOG_FILE...\n');
  process.exit(2);
}
rmSync(dbPath, { force: true });
rmSync(`${dbPath}.wal`, { force: true });
const db = await Database.open(dbPath);
try {
  await db.run(
    `CREATE TABLE connections AS SELECT * FROM read_json($files, format = 'newline_delimited', columns = ${COLUMNS}, ignore_errors = $ignore_errors)`,
    { files: varcharList(files), ignore_errors: ignoreErrors },
  );
  const { rows } = await db.one<{ rows: number }>('SELECT count(*) AS rows FROM connections');
  process.stdout.write(`${JSON.stringify({ rows })}\n`);
} finally {
  db.close();
}
