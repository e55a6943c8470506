/**
 * Where the stored attempts live (docs/clickhouse.md): the embedded DuckDB
 * database (the default), or a ClickHouse cluster, for which the local DuckDB
 * database is a working copy that keeps the audit history. The ClickHouse
 * modules load only when that engine is chosen.
 */
import { redacted, type ClickHouseTarget } from './db/clickhouse-target.js';
import type { Database } from './db/database.js';
import type { ClickHouseAuditNote } from './detect/clickhouse-sessions.js';
import type { SessionSource } from './detect/sessions.js';
import type { RemoteStore } from './ingest/clickhouse-store.js';
import { WORKING_COPY_ROW } from './ingest/shapes.js';
import { UserError } from './errors.js';
import { loadQuery, queryRow } from './queries.js';

export type EngineChoice = { kind: 'duckdb' } | { kind: 'clickhouse'; target: ClickHouseTarget };

export const DUCKDB_ENGINE: EngineChoice = { kind: 'duckdb' };

export interface Engine {
  /** Where ingest stores committed files besides the local tables; undefined: the local tables are the store. */
  store?: RemoteStore;
  /** Where the audit's session steps read attempts; undefined: the local tables. */
  sessions?: SessionSource;
  /** The database as the reports name it. */
  label: string;
  /** After an audit: how much came home from the cluster. */
  auditNote?: ClickHouseAuditNote;
}

/** Runs fn with the engine open on the local database `db`, and closes it afterwards. */
export async function withEngine<T>(choice: EngineChoice, db: Database, dbLabel: string, fn: (engine: Engine) => Promise<T>): Promise<T> {
  if (choice.kind === 'duckdb') {
    await refuseWorkingCopy(db, dbLabel);
    return fn({ label: dbLabel });
  }
  const [{ withClickHouse }, { ClickHouseStore }, { ClickHouseSessions }] = await Promise.all([
    import('./db/clickhouse.js'),
    import('./ingest/clickhouse-store.js'),
    import('./detect/clickhouse-sessions.js'),
  ]);
  return withClickHouse(choice.target, async (ch) => {
    const store = await ClickHouseStore.open(db, ch, dbLabel);
    const sessions = new ClickHouseSessions(ch);
    try {
      return await fn({ store, sessions, label: clickhouseLabel(choice.target), auditNote: sessions.note });
    } finally {
      store.close();
      sessions.close();
      await db.runScript(loadQuery('mirror/release.sql')).catch(() => undefined);
    }
  });
}

/** A ClickHouse working copy holds one run's slice of the cluster: auditing it with DuckDB would read a part as the whole. */
export async function refuseWorkingCopy(db: Database, dbLabel: string): Promise<void> {
  if (dbLabel === ':memory:') return;
  const { working_copy } = await queryRow(db, WORKING_COPY_ROW, 'mirror/is-working-copy.sql');
  if (working_copy) {
    throw new UserError(
      `the DuckDB database "${dbLabel}" is the ClickHouse engine's audit history, not a store of logs: run with --engine clickhouse and its --clickhouse flags, or name another --db`,
    );
  }
}

/** The cluster as the reports name it: addresses without credentials, the database and the cluster. */
export function clickhouseLabel(target: ClickHouseTarget): string {
  const hosts = target.urls.map(redacted);
  return `clickhouse ${hosts.join(',')}/${target.database}${target.cluster === null ? '' : ` (cluster ${target.cluster})`}`;
}
