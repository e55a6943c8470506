/**
 * The audit's floor (issue 14), run as its own process like the audit it is
 * compared with: the least any audit must do, one pass over the stored attempts
 * of a routeaudit database grouped by session (first attempt, connected
 * datacenter, counts), materialised, and nothing else (no rules, no incidents,
 * no reports). With SINCE and UNTIL, over that window's attempts only: the
 * floor of a one-day nightly audit.
 *
 *   node floor.js DB_FILE [SINCE UNTIL]
 */
import { Database } from '#routeaudit/db/database.js';

const [dbPath, since = null, until = null] = process.argv.slice(2);
if (!dbPath) {
  process.stderr.write('usage: floor.js DB_FILE [SINCE UNTIL]\n');
  process.exit(2);
}
const db = await Database.open(dbPath, { readOnly: true });
try {
  await db.run(
    `CREATE TEMP TABLE floor AS
     SELECT session_id, min(ts) AS session_start, arg_min(dc_id, ts) AS first_dc,
       arg_max(dc_id, ts) FILTER (WHERE outcome = 'connected') AS connected_dc,
       count(*) AS attempts, count(*) FILTER (WHERE outcome = 'connected') AS connected
     FROM connections
     WHERE ($since::TIMESTAMPTZ IS NULL OR ts >= $since::TIMESTAMPTZ) AND ($until::TIMESTAMPTZ IS NULL OR ts < $until::TIMESTAMPTZ)
     GROUP BY session_id`,
    { since, until },
  );
  const { sessions, attempts } = await db.one<{ sessions: number; attempts: number }>('SELECT count(*) AS sessions, sum(attempts)::BIGINT AS attempts FROM floor');
  process.stdout.write(`${JSON.stringify({ sessions, attempts })}\n`);
} finally {
  db.close();
}
