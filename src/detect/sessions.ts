/**
 * Sessions, derived once per audit (audit_sessions, audit_attempts): the
 * records of each session, then one geo lookup of the sessions' first
 * client_ip and the attempts' dc_ip, then each logged datacenter's placement,
 * the client country and region, and the attempts of the in-window sessions
 * (docs/detections.md). The lookback's sessions, which only the fallback
 * baseline reads, keep their facts and no attempt.
 *
 * The geo database is loaded only when some address is public: an audit of
 * logs without client_ip or dc_ip (or with only private or invalid ones) pays
 * nothing for it.
 *
 * The steps are one list for both engines: the ClickHouse engine
 * (src/detect/clickhouse-sessions.ts) fills the facts, the lacks, the logged
 * pairs and the attempts of the sessions it brings home from the cluster, and
 * runs the same steps in between.
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
  /**
   * Rules that may need attempts of routine sessions (they do not declare `routine:
   * attempts-not-needed`, docs/detections.md): with any, an engine that leaves those out must not.
   */
  rulesNeedingRoutineAttempts?: readonly string[];
}

/** Where the session steps read the stored attempts: the local DuckDB tables, or a cluster. */
export interface SessionSource {
  /** audit_order_spans, audit_session_facts (session-facts.sql's columns). */
  facts(db: Database, window: SessionWindow): Promise<void>;
  /** audit_logged_pairs, from $scan_start on (the lookback's: scan-start.sql). */
  loggedPairs(db: Database, scanStart: string | null): Promise<void>;
  /** audit_session_lacks. */
  lacks(db: Database): Promise<void>;
  /**
   * Called once audit_sessions and audit_dc_placement exist: makes `connections` hold what
   * attempts.sql must read, the in-window sessions' attempts from $scan_start on (the window's).
   */
  attempts(db: Database, window: SessionWindow, scanStart: string | null): Promise<void>;
}

/** The embedded engine: every step reads the local `connections` table. */
export const LOCAL_SESSIONS: SessionSource = {
  async facts(db, window) {
    await db.runScript(loadQuery('audit/order-spans.sql'));
    await db.runScript(loadQuery('audit/order-key.sql'));
    await db.runScript(loadQuery('audit/session-facts.sql'), {
      since: window.since,
      until: window.until,
      lookback_start: window.lookbackStart,
      late_after_file_id: window.lateAfterFileId,
    });
  },
  async loggedPairs(db, scanStart) {
    await db.run(loadQuery('audit/logged-pairs.sql'), { scan_start: scanStart });
  },
  async lacks(db) {
    await db.run(loadQuery('audit/session-lacks.sql'));
  },
  async attempts() {},
};

export async function deriveSessions(db: Database, window: SessionWindow, geo: GeoSource | null, source: SessionSource = LOCAL_SESSIONS): Promise<void> {
  await source.facts(db, window);
  const scans = await queryRow(db, SCAN_START_ROW, 'audit/scan-start.sql', { lookback_start: window.lookbackStart, since: window.since });
  await source.loggedPairs(db, scans.lookback_scan_start);
  await source.lacks(db);
  await db.run(loadQuery('audit/geo-lookup.sql'));
  await lookUp(db, geo);
  await db.runScript(loadQuery('audit/dc-placement.sql'));
  await db.runScript(loadQuery('audit/client-sessions.sql'));
  await source.attempts(db, window, scans.window_scan_start);
  await db.runScript(loadQuery('audit/attempts.sql'), { scan_start: scans.window_scan_start });
}
