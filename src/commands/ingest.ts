import { resolveDatabasePath, withDatabase } from '../db/database.js';
import { ExitCode } from '../errors.js';
import { discoverLogFiles, type FormatChoice } from '../ingest/discover.js';
import { ingestFiles, type FileResult, type IngestSummary } from '../ingest/ingester.js';
import type { ColumnMapping } from '../ingest/mapping.js';
import { chooseSource } from '../ingest/sources/catalog.js';
import { NATIVE_SOURCE } from '../ingest/sources/names.js';
import type { Io } from '../io.js';
import { ingestProgressReporter } from '../progress.js';
import { formatTable } from '../report/table.js';
import { DUCKDB_ENGINE, withEngine, type EngineChoice } from '../engine.js';
import { thousands } from '../numbers.js';

export interface IngestCommandOptions {
  paths: string[];
  db: string;
  format: FormatChoice;
  mapping: ColumnMapping;
  source?: string;
  timezone?: string;
  memoryLimit?: string;
  engine?: EngineChoice;
}

export async function ingestCommand(options: IngestCommandOptions, io: Io): Promise<ExitCode> {
  const discovery = discoverLogFiles(options.paths, options.format, io.cwd);
  const source = chooseSource(options.source, options.mapping, io.cwd);
  const engine = options.engine ?? DUCKDB_ENGINE;
  const summary = await withDatabase(resolveDatabasePath(options.db, io.cwd), { memoryLimit: options.memoryLimit }, (db) =>
    withEngine(engine, db, options.db, (opened) =>
      ingestFiles(db, discovery.files, {
        mapping: options.mapping,
        source,
        timezone: options.timezone ?? null,
        now: io.now,
        onProgress: ingestProgressReporter(io),
        store: opened.store,
      }),
    ),
  );
  const rejectsHint =
    engine.kind === 'duckdb'
      ? `see the rejected lines with: ${io.self} rejects --db ${shellWord(options.db)}`
      : `the rejected lines are in ClickHouse: SELECT * FROM ${engine.target.database}.${engine.target.cluster === null ? 'rejects_local' : 'rejects'} (docs/clickhouse.md)`;
  io.stdout(formatIngestSummary(summary, discovery.skipped, rejectsHint));
  const files = (n: number) => `${n} of ${summary.files.length} file${summary.files.length === 1 ? '' : 's'}`;
  if (summary.failed > 0) {
    // The table went to stdout; cron and scripts watch stderr.
    io.stderr(`routeaudit: ${files(summary.failed)} failed to load; the "error:" lines above say why\n`);
    return ExitCode.userError;
  }
  const whollyRejected = summary.files.filter(isWhollyRejected).length;
  if (whollyRejected > 0) {
    io.stderr(`routeaudit: ${files(whollyRejected)} loaded nothing: every line was rejected (exit 4)\n`);
    return ExitCode.incomplete;
  }
  return ExitCode.ok;
}

/** Loaded now, and every line of it rejected: the file contributes nothing, which is not success. */
function isWhollyRejected(file: FileResult): boolean {
  return file.status === 'loaded' && file.linesRead > 0 && file.rejected === file.linesRead;
}

/** A value as one shell word, for a hint the user can paste. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The per-file table, the skipped files, the accounting line that says the counts add up, and where the rejects are. */
export function formatIngestSummary(summary: IngestSummary, skipped: readonly { path: string; reason: string }[], rejectsHint: string): string {
  const rows = summary.files.map((f) => [f.path, (f.source === NATIVE_SOURCE ? f.format : f.source) + (f.compression === 'none' ? '' : `+${f.compression}`), statusText(f.status), f.linesRead, f.loaded, f.duplicates, f.rejected, f.note]);
  let text = formatTable(['file', 'format', 'status', 'read', 'loaded', 'duplicates', 'rejected', 'note'], rows);
  for (const s of skipped) text += `skipped ${s.path}: ${s.reason}\n`;
  const t = summary.totals;
  const byStatus = (status: string) => summary.files.filter((f) => f.status === status).length;
  const adds = t.linesRead === t.loaded + t.duplicates + t.rejected;
  text +=
    `\n${summary.files.length} file${summary.files.length === 1 ? '' : 's'}: ${byStatus('loaded')} loaded, ${byStatus('already-ingested')} already ingested, ${byStatus('failed')} failed\n` +
    `lines read ${fmt(t.linesRead)} = loaded ${fmt(t.loaded)} + duplicates ${fmt(t.duplicates)} + rejected ${fmt(t.rejected)}` +
    (adds ? ' (adds up)\n' : ' (DOES NOT ADD UP: please report this)\n');
  if (t.rejected > 0) text += `${rejectsHint}\n`;
  for (const f of summary.files.filter((f) => f.status === 'failed')) text += `error: ${f.path}: ${f.note}\n`;
  for (const f of summary.files.filter(isWhollyRejected)) text += `error: ${f.path}: every line was rejected (${fmt(f.linesRead)}); nothing was loaded\n`;
  for (const f of summary.files.filter((f) => f.status === 'loaded' && f.note?.includes('--map '))) text += `warning: ${f.path}: ${f.note}\n`;
  return text;
}

function statusText(status: string): string {
  return status === 'already-ingested' ? 'already ingested' : status;
}

function fmt(n: number): string {
  return thousands(n);
}
