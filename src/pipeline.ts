/**
 * The main job, shared by `audit` and `nightly`: optionally ingest logs, audit
 * the window (nightly: and the sessions that arrived late), name the input
 * problems, take statuses from the incident ledger, write the run folder.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from './db/database.js';
import { resolveDatabasePath, withDatabase } from './db/database.js';
import { UserError } from './errors.js';
import { runAudit, runIdFor, type AuditWindow } from './detect/audit.js';
import { applyLedger, previousRun } from './detect/ledger.js';
import type { AuditReport } from './detect/model.js';
import { WATERMARK_ROW } from './detect/shapes.js';
import { withInputProblems } from './detect/verdict.js';
import { geoSourceFor } from './geo/source.js';
import { discoverLogFiles, type FormatChoice } from './ingest/discover.js';
import { ingestFiles, prepareStore, type IngestSummary } from './ingest/ingester.js';
import { inputProblemsOf, rejectsOfRun } from './ingest/run-inputs.js';
import type { ColumnMapping } from './ingest/mapping.js';
import { chooseSource } from './ingest/sources/catalog.js';
import type { Io } from './io.js';
import { loadPolicy } from './policy/load.js';
import { queryRow } from './queries.js';
import { ingestProgressReporter } from './progress.js';
import { writeRunFolder } from './report/write.js';
import { DUCKDB_ENGINE, withEngine, type EngineChoice } from './engine.js';
import type { ClickHouseAuditNote } from './detect/clickhouse-sessions.js';

export interface PipelineOptions {
  /** nightly audits by arrival too and records its watermark (docs/nightly.md). */
  kind: 'audit' | 'nightly';
  policyFile: string;
  db: string;
  logs: string[] | null;
  window: AuditWindow;
  now: Date;
  /** Folder for the run folder; null writes no reports. */
  out: string | null;
  format: FormatChoice;
  mapping: ColumnMapping;
  /** --source NAME or definition file (docs/sources.md); undefined: recognised per file. */
  source?: string;
  /** --timezone: for source timestamps without a UTC offset. */
  timezone?: string;
  memoryLimit?: string;
  /** Audit a database that does not exist yet (nightly creates it). */
  createDatabase: boolean;
  /** --geo files ([] for the bundled database), or false for none (--no-geo). */
  geo: readonly string[] | false;
  /** --engine: where the attempts are stored and scanned (docs/clickhouse.md); default the embedded DuckDB. */
  engine?: EngineChoice;
}

export interface PipelineResult {
  report: AuditReport;
  runFolder: string | null;
  ingest: IngestSummary | null;
  skipped: { path: string; reason: string }[];
  /** With --engine clickhouse: how much of the cluster's data came home. */
  clickhouse: ClickHouseAuditNote | null;
}

export async function runPipeline(options: PipelineOptions, io: Io): Promise<PipelineResult> {
  const loadedPolicy = loadPolicy(options.policyFile, io.cwd);
  const geo = geoSourceFor(options.geo, io.cwd);
  const dbPath = resolveDatabasePath(options.db, io.cwd);
  const inMemory = dbPath === ':memory:';
  const engine = options.engine ?? DUCKDB_ENGINE;
  // With ClickHouse the local database is only the audit history: a first run creates it.
  if (!inMemory && !options.createDatabase && !options.logs && engine.kind === 'duckdb' && !existsSync(dbPath)) {
    throw new UserError(`database "${options.db}" does not exist: ingest logs first (routeaudit ingest PATH --db ${options.db}), or audit logs directly with --logs PATH`);
  }
  const discovery = options.logs ? discoverLogFiles(options.logs, options.format, io.cwd) : null;
  const source = options.logs ? chooseSource(options.source, options.mapping, io.cwd) : null;
  return withDatabase(dbPath, { memoryLimit: options.memoryLimit }, (db: Database) => withEngine(engine, db, options.db, async (opened) => {
    const ingest = discovery
      ? await ingestFiles(db, discovery.files, {
          mapping: options.mapping,
          source,
          timezone: options.timezone ?? null,
          now: io.now,
          onProgress: ingestProgressReporter(io),
          store: opened.store,
        })
      : null;
    await prepareStore(db);
    const policyPath = realpathSync(resolve(io.cwd, options.policyFile));
    const nightly = options.kind === 'nightly';
    const lateAfterFileId = nightly ? (await previousRun(db, policyPath, runIdFor(options.window, loadedPolicy.sha256), options.window.until)).watermarkFileId : null;
    const { watermark_file_id } = await queryRow(db, WATERMARK_ROW, 'audit/watermark.sql');
    const audited = await runAudit(db, {
      policy: loadedPolicy,
      window: options.window,
      now: options.now,
      databaseLabel: opened.label,
      geo,
      lateAfterFileId,
      sessions: opened.sessions,
    });
    const problems = ingest === null ? [] : await inputProblemsOf(db, ingest);
    // Read from the database while rejects.csv is written.
    const rejects = ingest === null ? [] : rejectsOfRun(db, ingest);
    const report = await applyLedger(db, withInputProblems(audited, problems), {
      policyPath,
      kind: options.kind,
      watermarkFileId: nightly ? watermark_file_id : null,
    });
    const runFolder = options.out === null ? null : await writeRunFolder(resolve(io.cwd, options.out), report, rejects);
    return { report, runFolder, ingest, skipped: discovery?.skipped ?? [], clickhouse: opened.auditNote ?? null };
  }));
}
