/**
 * Sessions, derived once per audit (audit_sessions, audit_attempts): the
 * records of each session, then one geo lookup of the sessions' first
 * client_ip and the attempts' dc_ip, then the client country and region and
 * each attempt's datacenter placement (docs/detections.md).
 *
 * The geo database is loaded only when some address is public: an audit of
 * logs without client_ip or dc_ip (or with only private or invalid ones) pays
 * nothing for it.
 */
import type { Database } from '../db/database.js';
import { lookUp } from '../geo/ranges.js';
import type { GeoSource } from '../geo/source.js';
import { loadQuery, queryRow } from '../queries.js';
import { SCAN_START_ROW } from './shapes.js';

export interface SessionWindow {
  since: string | null;
  until: string | null;
  /** Sessions from here to `since` are derived too, for the fallback baseline only. */
  lookbackStart: string | null;
  /** nightly: sessions with a record in a later file are audited whatever their start; null: none. */
  lateAfterFileId: number | null;
}

export async function deriveSessions(db: Database, window: SessionWindow, geo: GeoSource | null): Promise<void> {
  await db.runScript(loadQuery('audit/session-facts.sql'), {
    since: window.since,
    until: window.until,
    lookback_start: window.lookbackStart,
    late_after_file_id: window.lateAfterFileId,
  });
  await lookUp(db, geo);
  const { scan_start } = await queryRow(db, SCAN_START_ROW, 'audit/scan-start.sql', { lookback_start: window.lookbackStart });
  await db.runScript(loadQuery('audit/sessions.sql'), { scan_start });
}
