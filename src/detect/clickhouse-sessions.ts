/**
 * The session steps of an audit on ClickHouse (docs/clickhouse.md). The scans
 * over every stored attempt run in the cluster, each shard over its own
 * sessions: the session facts, the logged datacenter pairs, the sessions of
 * partial sources, and the candidate sessions. What comes home is one row per
 * session (its facts), the pairs, and the attempts of the candidate sessions
 * only; the geo lookup, placement, every detection, the incidents and the
 * reports then run locally on the same SQL as the DuckDB engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { epochMicros } from '../db/clickhouse-sql.js';
import type { ClickHouse } from '../db/clickhouse.js';
import type { Database } from '../db/database.js';
import { loadQuery, queryRow } from '../queries.js';
import { COUNT_ROW, SPLIT_SESSIONS_ROW } from './shapes.js';
import { UserError } from '../errors.js';
import type { SessionSource, SessionWindow } from './sessions.js';
import { importRows } from '../ingest/clickhouse-store.js';

export interface ClickHouseAuditNote {
  /** Sessions whose facts came home. */
  sessions: number;
  /** Sessions whose attempts came home too (the candidates). */
  candidateSessions: number;
  /** Why every session's attempts came home, when they did: a rule that may need routine sessions' attempts. */
  everySessionBecause: string | null;
}

export class ClickHouseSessions implements SessionSource {
  private readonly scratch = mkdtempSync(join(tmpdir(), 'routeaudit-cha-'));
  readonly note: ClickHouseAuditNote = { sessions: 0, candidateSessions: 0, everySessionBecause: null };

  constructor(private readonly ch: ClickHouse) {}

  private bounds(window: SessionWindow) {
    return {
      since_us: epochMicros(window.since),
      until_us: epochMicros(window.until),
      lookback_start_us: epochMicros(window.lookbackStart),
      late_after_file_id: window.lateAfterFileId,
    };
  }

  async facts(db: Database, window: SessionWindow): Promise<void> {
    await this.ch.run('committed-given.sql');
    await this.push(db, 'mirror/committed-ids.sql', 'committed_files');
    const [maxima] = await this.ch.rows<{ max_part: number; max_line_no: number; max_file_id: number }>('order-maxima.sql');
    await db.runScript(loadQuery('mirror/order-spans.sql'), { max_part: maxima?.max_part ?? 0, max_line_no: maxima?.max_line_no ?? 0, max_file_id: maxima?.max_file_id ?? 0 });
    await db.runScript(loadQuery('audit/order-key.sql'));
    const path = this.file('facts');
    await this.ch.exportTo('session-facts.sql', this.bounds(window), path);
    await db.run(loadQuery('mirror/session-facts.sql'), { path });
    const split = await queryRow(db, SPLIT_SESSIONS_ROW, 'mirror/split-sessions.sql');
    if (split.n > 0) {
      throw new UserError(
        `${split.n} session${split.n === 1 ? ' has' : 's have'} records on more than one shard (e.g. ${JSON.stringify(split.example)}): the cluster's shards or their weights changed after ` +
          'records were stored, and sessions are sharded by session_id. Re-shard the connections table (docs/clickhouse.md, "Adding shards") before auditing.',
      );
    }
    this.note.sessions = (await queryRow(db, COUNT_ROW, 'mirror/fact-count.sql')).n;
  }

  async loggedPairs(db: Database, scanStart: string | null): Promise<void> {
    const path = this.file('pairs');
    await this.ch.exportTo('logged-pairs.sql', { scan_start_us: epochMicros(scanStart) }, path);
    await db.run(loadQuery('mirror/logged-pairs.sql'), { path });
  }

  async lacks(db: Database): Promise<void> {
    await db.run(loadQuery('mirror/partial-files.sql'));
    // Native logs only: nothing lacks anything, and the cluster need not be asked.
    if ((await queryRow(db, COUNT_ROW, 'mirror/partial-file-count.sql')).n === 0) {
      await db.run(loadQuery('mirror/no-session-lacks.sql'));
      return;
    }
    const files = this.file('partial');
    await db.exportJson('mirror_out', files);
    await this.ch.run('partial-files.sql');
    await this.ch.importFrom('partial_files', files);
    const path = this.file('lacks');
    await this.ch.exportTo('session-partial-files.sql', {}, path);
    await db.run(loadQuery('mirror/session-lacks.sql'), { path });
  }

  async attempts(db: Database, window: SessionWindow, scanStart: string | null): Promise<void> {
    await this.ch.run('routine-classes.sql');
    // No routine class: every attempt joins an empty list, so every session is a candidate.
    const needing = window.rulesNeedingRoutineAttempts ?? [];
    if (needing.length > 0) this.note.everySessionBecause = `${needing.join(', ')} ${needing.length === 1 ? 'does' : 'do'} not declare routine: attempts-not-needed`;
    else await this.push(db, 'mirror/routine-classes.sql', 'routine_classes');
    await this.push(db, 'mirror/rule-accounts.sql', 'rule_accounts');
    await this.ch.run('candidates.sql', this.bounds(window));
    await this.push(db, 'mirror/extra-candidates.sql', 'candidate_sessions');
    const [count] = await this.ch.rows<{ candidates: number }>('candidate-count.sql');
    this.note.candidateSessions = Number(count?.candidates ?? 0);
    const path = this.file('attempts');
    await this.ch.exportTo('candidate-attempts.sql', { scan_start_us: epochMicros(scanStart) }, path);
    await db.run(loadQuery('mirror/forget-stored.sql'));
    await importRows(db, 'mirror/stored-records.sql', path);
  }

  close(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }

  /** A local query's mirror_out rows into one of the run's temporary tables in the cluster. */
  private async push(db: Database, query: string, table: string): Promise<void> {
    await db.run(loadQuery(query));
    const path = this.file(table);
    await db.exportJson('mirror_out', path);
    await this.ch.importFrom(table, path);
  }

  private file(name: string): string {
    return join(this.scratch, `${name}.json`);
  }
}
