/**
 * Ingest into ClickHouse (docs/clickhouse.md). The ingester runs as it does
 * for DuckDB, on a local working copy: the same readers, validation, rejects
 * and duplicate detection. This store gives it the cluster's registry before
 * the first file, the cluster's stored records that a file's records may
 * equal, and file ids above every id the cluster holds; and it publishes each
 * committed file to the cluster, registry entry last.
 *
 * ClickHouse has no transactions across tables, so a file becomes visible by
 * one insert: its registry entry. Its records, duplicates and rejects go in
 * first; every read keeps to committed files (queries/clickhouse/committed.sql).
 * A run killed mid-file leaves rows no entry names, invisible, under an id no
 * later file takes (max-file-id.sql counts them): the re-run loads the file
 * again under a new id, exactly once.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { epochMicros } from '../db/clickhouse-sql.js';
import type { ClickHouse } from '../db/clickhouse.js';
import { redacted } from '../db/clickhouse-target.js';
import { varcharList, type Database } from '../db/database.js';
import { UserError } from '../errors.js';
import { loadQuery, queryRow } from '../queries.js';
import { prepareStore } from './ingester.js';
import { HOLDS_OWN_LOGS_ROW } from './shapes.js';

/** What the ingester asks of a remote store; absent: the local DuckDB tables are the store. */
export interface RemoteStore {
  /** The id of the next committed file. */
  nextFileId(): number;
  /** Brings the stored records that this file's records (staged_records) may equal, in [lo, hi], into the local connections. */
  bringStoredRecords(db: Database, lo: string | null, hi: string | null): Promise<void>;
  /** Brings the stored rejects of these files (found already ingested) into the local rejects. */
  bringRejects(db: Database, fileIds: readonly number[]): Promise<void>;
  /** Stores a committed file's rows remotely, registry entry last; `replaced`: the entry this reading replaces. */
  publish(db: Database, fileId: number, replaced: number | null): Promise<void>;
}

/**
 * Runs one of queries/mirror/'s INSERTs of a JSONEachRow file into a stored table, unless the
 * file is empty. Not only cheaper: an INSERT of no rows from read_json inside the file's
 * transaction made DuckDB 1.5 count none of a large INSERT into the same table that followed
 * (387,289 rows: loaded 0; the ingest's own counts check caught it).
 */
export async function importRows(db: Database, query: string, path: string): Promise<void> {
  if (statSync(path).size === 0) return;
  await db.run(loadQuery(query), { path });
}

export class ClickHouseStore implements RemoteStore {
  private maxFileId = 0;
  private readonly scratch = mkdtempSync(join(tmpdir(), 'routeaudit-ch-'));

  private constructor(private readonly ch: ClickHouse) {}

  /**
   * Creates the cluster's tables (idempotent) and makes the local database a working copy
   * of the cluster's registry. A local database that holds logs of its own is refused, not emptied.
   */
  static async open(db: Database, ch: ClickHouse, localLabel: string): Promise<ClickHouseStore> {
    const store = new ClickHouseStore(ch);
    await ch.runOnEveryNode('schema-local.sql');
    if (ch.target.cluster !== null) await ch.runOnEveryNode('schema-distributed.sql');
    await prepareStore(db);
    const { holds_own_logs } = await queryRow(db, HOLDS_OWN_LOGS_ROW, 'mirror/holds-own-logs.sql');
    if (holds_own_logs) {
      throw new UserError(
        `the DuckDB database "${localLabel}" holds logs of its own; the ClickHouse engine keeps its audit history in a database of its own: name another with --db (e.g. --db routeaudit-clickhouse.duckdb)`,
      );
    }
    await db.runScript(loadQuery('mirror/reset.sql'), { database: ch.target.database, first_url: redacted(ch.target.urls[0]!) });
    await store.refreshRegistry(db);
    const [{ max_file_id }] = (await ch.rows<{ max_file_id: number }>('max-file-id.sql')) as [{ max_file_id: number }];
    store.maxFileId = Number(max_file_id);
    return store;
  }

  /** The committed registry into the local ingested_files (emptied by reset.sql). */
  private async refreshRegistry(db: Database): Promise<void> {
    await this.ch.run('committed.sql');
    const path = this.file('registry');
    await this.ch.exportTo('registry.sql', {}, path);
    await importRows(db, 'mirror/registry.sql', path);
  }

  nextFileId(): number {
    this.maxFileId += 1;
    return this.maxFileId;
  }

  async bringStoredRecords(db: Database, lo: string | null, hi: string | null): Promise<void> {
    if (lo === null || hi === null) return;
    await db.run(loadQuery('mirror/batch-sessions.sql'));
    const sessions = this.file('probe');
    await db.exportJson('mirror_out', sessions);
    await this.ch.run('probe-sessions.sql');
    await this.ch.importFrom('probe_sessions', sessions);
    const stored = this.file('stored');
    await this.ch.exportTo('stored-records.sql', { lo_us: epochMicros(lo), hi_us: epochMicros(hi) }, stored);
    await importRows(db, 'mirror/stored-records.sql', stored);
  }

  async bringRejects(db: Database, fileIds: readonly number[]): Promise<void> {
    if (fileIds.length === 0) return;
    await db.run(loadQuery('mirror/probe-files.sql'), { file_ids: varcharList(fileIds.map(String)) });
    const ids = this.file('probe-files');
    await db.exportJson('mirror_out', ids);
    await this.ch.run('probe-files.sql');
    await this.ch.importFrom('probe_files', ids);
    const path = this.file('rejects');
    await this.ch.exportTo('file-rejects.sql', {}, path);
    await importRows(db, 'mirror/file-rejects.sql', path);
  }

  async publish(db: Database, fileId: number, replaced: number | null): Promise<void> {
    await db.runScript(loadQuery('mirror/publish.sql'), { file_id: fileId });
    for (const [local, remote] of [
      ['mirror_connections', 'connections'],
      ['mirror_duplicates', 'duplicates'],
      ['mirror_rejects', 'rejects'],
    ] as const) {
      const path = this.file(remote);
      await db.exportJson(local, path);
      await this.ch.importFrom(this.ch.table(remote), path);
    }
    if (replaced !== null) {
      const path = this.file('retracted');
      await db.run(loadQuery('mirror/retracted.sql'), { file_id: replaced });
      await db.exportJson('mirror_retracted', path);
      await this.ch.importFrom(this.ch.table('retracted'), path);
    }
    const entry = this.file('entry');
    await db.exportJson('mirror_entry', entry);
    // The commit: from here on every read sees this file.
    await this.ch.importFrom(this.ch.table('files'), entry);
    await this.ch.run('committed.sql');
    await db.run(loadQuery('mirror/forget-stored.sql'));
  }

  close(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private file(name: string): string {
    return join(this.scratch, `${name}.json`);
  }
}
