/**
 * Loads log files into DuckDB, one transaction per file, so that a file's
 * records, duplicates, rejects and registry entry appear together or not at all.
 *
 * First, for the whole run: an unchanged file (same stat as when it was last
 * hashed) whose content is registered is skipped without reading it. Per file:
 * fingerprint the content in JS while DuckDB stages its lines (skip a file whose
 * content is registered; resume a file that grew) -> check the staged lines against the
 * file's own counts (else stage them exactly in JS) -> parse and validate in
 * one pass (JSON, CSV or Parquet-as-JSON) -> deduplicate -> commit.
 * Runs of small JSON Lines files go through the same steps as one batch (batch.ts).
 * Invariant: lines_read = loaded + duplicates + rejected, for every file.
 */
import type { Database } from '../db/database.js';
import { ClickHouseError, ClickHouseSetupError, DiskFullError, InputError, QueryFileError, isDiskFull } from '../errors.js';
import type { RemoteStore } from './clickhouse-store.js';
import { loadQuery, queryRow, queryRows } from '../queries.js';
import { batchCandidates, ingestBatch } from './batch.js';
import type { LogFile } from './discover.js';
import { fingerprint, readHead, sha256Hex, type Fingerprint } from './fingerprint.js';
import { stageLinesExactly } from './lines.js';
import {
  alreadyIngested,
  commitFiles,
  emptyResult,
  entriesByContent,
  entriesByStat,
  fieldPresence,
  growthCandidates,
  growthLimit,
  parseAndValidate,
  refuseWhenFieldNamesDiffer,
  replaceableEntry,
  stagedAsPrinted,
  stagedLineTotals,
  type FieldPresence,
  type FileCommit,
  type GrowthCandidate,
  type LineCountsRow,
  type RegistryEntry,
  type StagedLineTotals,
} from './file-steps.js';
import { identityMapping, type ColumnMapping } from './mapping.js';
import { rememberContentHashes, statOf } from './stat-cache.js';
import { LOG_FIELDS, REQUIRED_FIELDS } from './schema.js';
import { NATIVE_SOURCE, nativeDocumentSource, recogniseSource, type SourceChoice } from './sources/catalog.js';
import type { SourceSpec } from './sources/spec.js';
import { stageSourceRecords, type SourceStaging } from './sources/stage.js';
import { CSV_HEADER_ROW, PARQUET_ROWS_ROW } from './shapes.js';
import { thousands } from '../numbers.js';

/** The most lines one file may have: records.sql's key holds a line number below 2^31. */
const MAX_LINES_PER_FILE = 2 ** 31 - 1;

export interface LineCounts {
  linesRead: number;
  loaded: number;
  duplicates: number;
  rejected: number;
}

export interface FileResult extends LineCounts {
  path: string;
  format: LogFile['format'];
  compression: LogFile['compression'];
  /** The source that read it (docs/sources.md): routeaudit for the native schema. */
  source: string;
  status: 'loaded' | 'already-ingested' | 'failed';
  fileId: number | null;
  /** A file that grew since it was last ingested: lines up to here were loaded then. */
  resumedAfterLine: number | null;
  /** Which slow path or earlier entry explains the result, or the failure message. */
  note: string | null;
}

export interface IngestProgress {
  filesDone: number;
  filesTotal: number;
  linesRead: number;
  currentFile: string;
}

export interface IngestOptions {
  mapping: ColumnMapping;
  /** --source: a definition, null for the native schema, 'auto' to recognise each file's. */
  source?: SourceChoice;
  /** --timezone: for source timestamps without a UTC offset. */
  timezone?: string | null;
  now: () => Date;
  onProgress?: (progress: IngestProgress) => void;
  /** Where committed files go besides the local tables (the ClickHouse engine: src/ingest/clickhouse-store.ts). */
  store?: RemoteStore;
}

export interface IngestSummary {
  files: FileResult[];
  totals: LineCounts;
  failed: number;
}

/** Creates the tables (idempotent) and the ingest macros of this connection. */
export async function prepareStore(db: Database): Promise<void> {
  await db.run(loadQuery('schema.sql'));
  await db.run(loadQuery('ingest/macros.sql'));
}

export async function ingestFiles(db: Database, files: readonly LogFile[], options: IngestOptions): Promise<IngestSummary> {
  await prepareStore(db);
  const results: FileResult[] = [];
  const totals: LineCounts = { linesRead: 0, loaded: 0, duplicates: 0, rejected: 0 };
  const add = (result: FileResult) => {
    results.push(result);
    totals.linesRead += result.linesRead;
    totals.loaded += result.loaded;
    totals.duplicates += result.duplicates;
    totals.rejected += result.rejected;
  };
  const unchanged = await unchangedFiles(db, files);
  let maxRun = Infinity;
  for (let index = 0; index < files.length; ) {
    options.onProgress?.({ filesDone: index, filesTotal: files.length, linesRead: totals.linesRead, currentFile: files[index]!.path });
    const known = unchanged[index];
    if (known) {
      add(alreadyIngested(emptyResult(files[index]!), known));
      index++;
      continue;
    }
    const run = batchCandidates(files, index, options, unchanged).slice(0, maxRun);
    const batch = run.length > 1 ? await ingestBatchOf(db, run, options) : null;
    if (batch !== null && batch.length > 0) {
      batch.forEach(add);
      index += batch.length;
      maxRun = Infinity;
      continue;
    }
    // A batch DuckDB could not stage together (a file its reader refuses): halve it, so that the
    // file that made it fail is found in a few tries and the others stay batched.
    if (batch === null && run.length > 1) {
      maxRun = Math.floor(run.length / 2);
      continue;
    }
    add(await ingestOneFile(db, files[index]!, options));
    index++;
    maxRun = Infinity;
  }
  options.onProgress?.({ filesDone: files.length, filesTotal: files.length, linesRead: totals.linesRead, currentFile: '' });
  // The run's reports name the rejected lines of files it found already ingested too: on a cluster, they are there.
  await options.store?.bringRejects(db, results.flatMap((r) => (r.status === 'already-ingested' && r.fileId !== null ? [r.fileId] : [])));
  return { files: results, totals, failed: results.filter((r) => r.status === 'failed').length };
}

/**
 * The files unchanged on disk since they were ingested (the stat cache), found by one lookup for
 * the whole run, without reading them or their first bytes: a re-ingest of unchanged files then
 * costs one query. An entry another reading might replace (it rejected every line) is left to
 * the file's own path, which knows the reading.
 */
async function unchangedFiles(db: Database, files: readonly LogFile[]): Promise<(RegistryEntry | undefined)[]> {
  if (files.length === 0) return [];
  const stats = files.map((file) => {
    try {
      return { absolutePath: file.absolutePath, stat: statOf(file.absolutePath) };
    } catch {
      // Gone since it was found: its own path reports it.
      return { absolutePath: file.absolutePath, stat: { key: '', takenMs: 0, changedMs: 0, bytes: 0 } };
    }
  });
  return (await entriesByStat(db, stats)).map((entry) => (entry && !entry.wholly_rejected ? entry : undefined));
}

/** A batch of small files (batch.ts); null when they must be ingested one by one. */
async function ingestBatchOf(db: Database, run: readonly LogFile[], options: IngestOptions): Promise<FileResult[] | null> {
  try {
    return await ingestBatch(db, run, options);
  } catch (error) {
    if (isBug(error) || error instanceof ClickHouseError || error instanceof ClickHouseSetupError) throw error;
    if (isDiskFull(error)) {
      throw new DiskFullError(
        `no space left on the device while loading ${run.length} small files from ${run[0]!.path}: ${firstLineOf(error)}. ` +
          'The files loaded before them are stored; they and the files after them are not. Free some space and run again: stored files are skipped.',
      );
    }
    // Whatever else failed the batch (its transaction rolled back) is a file's to report: one by one, each file says its own.
    return null;
  }
}

/** Errors that are routeaudit's bugs, never a file's fault: reported as internal errors. */
function isBug(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError || error instanceof QueryFileError;
}

async function ingestOneFile(db: Database, file: LogFile, options: IngestOptions): Promise<FileResult> {
  const base = emptyResult(file);
  // The first decompressed bytes, read at most once: recognition and the growth check both look at them.
  let head: Promise<Buffer> | null = null;
  const readHeadOnce = () => (head ??= readHead(file.absolutePath, file.compression));
  try {
    const source = await chooseSource(file, options, readHeadOnce);
    if (source !== null) base.source = source.name;
    return await loadFile(db, file, options, base, source, readHeadOnce);
  } catch (error) {
    // Bugs, not the file's fault: reported as internal errors, never as a failed file.
    if (isBug(error)) throw error;
    // The cluster refused or went away: every later file would fail the same way.
    if (error instanceof ClickHouseError || error instanceof ClickHouseSetupError) throw error;
    // Every later file would fail the same way (and DuckDB may have invalidated the database): stop here.
    if (isDiskFull(error)) {
      throw new DiskFullError(
        `no space left on the device while loading ${file.path}: ${firstLineOf(error)}. ` +
          'The files loaded before it are stored; it and the files after it are not. Free some space and run again: stored files are skipped.',
      );
    }
    const message = error instanceof InputError ? error.problem : describeReadError(error);
    return { ...base, status: 'failed', note: message };
  }
}

/**
 * The source of a file: --source's, else (no --map given) the built-in its first bytes show,
 * else the native schema; a .json file holding one JSON document is read as one.
 */
async function chooseSource(file: LogFile, options: IngestOptions, readHeadOnce: () => Promise<Buffer>): Promise<SourceSpec | null> {
  const choice = options.source === undefined ? 'auto' : options.source;
  if (choice !== 'auto') return choice;
  if (file.format === 'parquet' || JSON.stringify(options.mapping) !== JSON.stringify(identityMapping())) return null;
  const head = (await readHeadOnce()).toString('utf8');
  const recognised = recogniseSource(head, file.path);
  if (recognised) return recognised;
  return file.format === 'jsonl' && head.trimStart().startsWith('[') ? nativeDocumentSource(options.mapping) : null;
}

/** What identifies a reading of a file besides its content: the mapping, or the source definition and zone. */
function readingKey(options: IngestOptions, source: SourceSpec | null): string {
  if (source === null) return JSON.stringify(options.mapping);
  return JSON.stringify({ source: source.name, definition: source.sha256, timezone: options.timezone ?? source.timezone });
}

async function loadFile(
  db: Database,
  file: LogFile,
  options: IngestOptions,
  result: FileResult,
  source: SourceSpec | null,
  readHeadOnce: () => Promise<Buffer>,
): Promise<FileResult> {
  const reading = readingKey(options, source);
  // Taken before the content is hashed: the stat cache remembers the hash under it. (The run looked up every file's stat first: unchangedFiles.)
  const stat = statOf(file.absolutePath);
  // A source file is read whole each time (no resuming a grown one): its records need not end at lines.
  const growth = source === null ? await findGrowthCandidates(db, file, readHeadOnce) : [];
  // The fingerprint (JS: decompress + SHA-256) runs while DuckDB stages the lines: a
  // compressed file is one stream that DuckDB reads on one thread, so the two overlap.
  const printing = fingerprint(file.absolutePath, file.format === 'parquet' ? 'none' : file.compression, growth.map((c) => c.content_bytes));
  const staging = source === null ? stageLinesFast(db, file) : stageSourceRecords(db, file, source, options.timezone ?? null);
  // A decompression bomb stops the fingerprint early (openContent); DuckDB's reader of the same file must stop too.
  printing.catch(() => db.interrupt());
  const [printed, staged] = await Promise.allSettled([printing, staging]);
  if (printed.status === 'rejected') throw printed.reason;
  if (staged.status === 'rejected' && (staged.reason instanceof QueryFileError || source !== null)) throw staged.reason;
  const print = printed.value;
  // records.sql keys a record by line_no * 65536 + part below 2^47 (with its file's place above).
  if (print.lines > MAX_LINES_PER_FILE) {
    throw new InputError(file.path, `has ${thousands(print.lines)} lines, more than the ${thousands(MAX_LINES_PER_FILE)} one file may hold; split it into smaller files`);
  }

  const [known] = await entriesByContent(db, [print.sha256]);
  const replacing = known ? await replaceableEntry(db, known.file_id, file, reading) : null;
  if (known && replacing === null) {
    await rememberContentHashes(db, [{ absolutePath: file.absolutePath, stat, contentSha256: print.sha256 }]);
    return alreadyIngested(result, known);
  }
  // The entry being replaced has this very content: it is not a prefix to resume after.
  const extended = growth.find((c) => c.file_id !== replacing?.file_id && print.prefixSha256.get(c.content_bytes) === c.content_sha256) ?? null;
  const firstLine = extended ? extended.total_lines + 1 : 1;

  let totalLines: { lines: number; exact: boolean };
  let sourceNote: string | null = null;
  let gaps: SourceStaging['gaps'] = { count: 0, firstLine: null, firstReason: null };
  if (source === null) {
    totalLines = await checkStagedLines(db, file, print, staged.status === 'fulfilled' ? (staged.value as StagedLineTotals | null) : null);
    await parseStagedLines(db, file, firstLine, options.mapping);
  } else {
    totalLines = { lines: print.lines, exact: false };
    const staging = staged.status === 'fulfilled' ? (staged.value as SourceStaging) : { records: 0, framingLines: 0, gaps };
    sourceNote = sourceReadNote(source, staging);
    gaps = staging.gaps;
    await parseAndValidate(db, { format: 'jsonl', firstLine: 1, mapping: identityMapping(), positions: LOG_FIELDS.map(() => null), headerWidth: 0 });
  }
  const slowPath = totalLines.exact ? 'read line by line (the fast reader disagreed with the file\'s byte counts)' : null;
  const [presence] = (await fieldPresence(db, 1)) as [FieldPresence];
  const unusedMaps = source === null ? refuseWhenFieldNamesDiffer(presence, file, options.mapping) : refuseWhenSourceGivesNothing(presence, file, source);
  await db.run(loadQuery('ingest/file-copies.sql'));

  const commit: FileCommit = {
    filePos: 0,
    file,
    print,
    stat,
    totalLines: totalLines.lines,
    firstLine,
    extendsFileId: extended?.file_id ?? null,
    replacing: replacing?.file_id ?? null,
    mapping: reading,
    source: source?.name ?? NATIVE_SOURCE,
    lacks: source?.lacks ?? [],
    gaps,
  };
  const [counts] = (await commitFiles(db, [commit], 1, { lo: presence.lo, hi: presence.hi }, options)) as [LineCountsRow];
  return {
    ...result,
    fileId: counts.file_id,
    resumedAfterLine: extended ? extended.total_lines : null,
    note:
      [
        extended ? `grew since ${extended.path} was ingested: read from line ${firstLine}` : slowPath,
        replacing ? `replaces the earlier reading of ${replacing.path} as ${replacing.format}, which rejected every line` : null,
        sourceNote,
        ...unusedMaps,
      ]
        .filter((n) => n !== null)
        .join('; ') || null,
    linesRead: counts.lines_read,
    loaded: counts.loaded,
    duplicates: counts.duplicates,
    rejected: counts.rejected,
  };
}

async function findGrowthCandidates(db: Database, file: LogFile, readHeadOnce: () => Promise<Buffer>): Promise<GrowthCandidate[]> {
  if (file.format === 'parquet') return [];
  const head = await readHeadOnce();
  const [candidates] = await growthCandidates(db, file.format, [{ absolutePath: file.absolutePath, headSha256: sha256Hex(head), maxBytes: growthLimit(file) }]);
  return candidates!;
}

/**
 * Stages every line (Parquet: row) into staged_lines with DuckDB's readers;
 * returns what was staged, or null when the reader refused the file (invalid
 * UTF-8, say: the exact reader handles it).
 */
async function stageLinesFast(db: Database, file: LogFile): Promise<StagedLineTotals | null> {
  if (file.format === 'parquet') {
    await db.run(loadQuery('ingest/stage-parquet.sql'), { path: file.absolutePath });
    const { row_count: expected } = await queryRow(db, PARQUET_ROWS_ROW, 'ingest/parquet-rows.sql', { path: file.absolutePath });
    const [staged] = (await stagedLineTotals(db, 1)) as [StagedLineTotals];
    if (staged.lines !== expected) throw new Error(`${file.path}: read ${staged.lines} Parquet rows, metadata says ${expected}`);
    return staged;
  }
  try {
    await db.run(loadQuery('ingest/stage-lines.sql'), { path: file.absolutePath, compression: file.compression });
    const [staged] = (await stagedLineTotals(db, 1)) as [StagedLineTotals];
    return staged;
  } catch (error) {
    // A broken query file is a bug to report, not a file for the exact reader.
    if (error instanceof QueryFileError) throw error;
    return null;
  }
}

/**
 * The fast reader's result is trusted only when its line count and text bytes
 * match the file's own; otherwise the lines are staged again, exactly, in JS.
 */
async function checkStagedLines(
  db: Database,
  file: LogFile,
  print: Fingerprint,
  staged: StagedLineTotals | null,
): Promise<{ lines: number; exact: boolean }> {
  if (file.format === 'parquet') {
    if (staged === null) throw new Error(`${file.path}: cannot read as Parquet`);
    return { lines: staged.lines, exact: false };
  }
  if (print.bytes === 0) {
    await db.run(loadQuery('ingest/create-staged-lines.sql'));
    return { lines: 0, exact: false };
  }
  if (staged !== null && stagedAsPrinted(staged, print)) return { lines: staged.lines, exact: false };
  const lines = await stageLinesExactly(db, file.absolutePath, file.compression);
  if (lines !== print.lines) throw new Error(`${file.path}: staged ${lines} lines, the file has ${print.lines}`);
  return { lines, exact: true };
}

async function parseStagedLines(db: Database, file: LogFile, firstLine: number, mapping: ColumnMapping): Promise<void> {
  if (file.format === 'csv') {
    // An empty file has no header and no records: like an empty JSON Lines file, it loads nothing.
    const header = (await readCsvHeader(db, file)) ?? LOG_FIELDS.map((field) => mapping[field]);
    const positions = LOG_FIELDS.map((field) => {
      const index = header.indexOf(mapping[field]);
      return index < 0 ? null : String(index + 1);
    });
    const missing = REQUIRED_FIELDS.filter((field) => positions[LOG_FIELDS.indexOf(field)] === null);
    if (missing.length > 0) {
      throw new InputError(
        file.path,
        `the CSV header has no column for required field${missing.length > 1 ? 's' : ''} ${missing.map((f) => `"${f}"${mapping[f] !== f ? ` (mapped from "${mapping[f]}")` : ''}`).join(', ')}; ` +
          `header: ${shownHeader(header)}; ${otherDelimiterHint(header) ?? 'use --map FIELD=COLUMN if the names differ'}`,
        1,
      );
    }
    await parseAndValidate(db, { format: 'csv', firstLine, mapping, positions, headerWidth: header.length });
    return;
  }
  await parseAndValidate(db, { format: 'jsonl', firstLine, mapping, positions: LOG_FIELDS.map(() => null), headerWidth: 0 });
}

/** The header's column names; null for an empty file. */
async function readCsvHeader(db: Database, file: LogFile): Promise<string[] | null> {
  const rows = await queryRows(db, CSV_HEADER_ROW, 'ingest/csv-header.sql');
  if (rows.length === 0) return null;
  const fields = rows[0]!.fields;
  if (!fields || fields.every((f) => f.trim() === '')) throw new InputError(file.path, 'the first line is not a CSV header row', 1);
  const names = fields.map((f) => f.trim());
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new InputError(file.path, `the CSV header names column "${duplicate}" twice`, 1);
  return names;
}

/** A source file whose records all lack a required field is not that source's: refused, not rejected line by line. */
function refuseWhenSourceGivesNothing(presence: FieldPresence, file: LogFile, source: SourceSpec): string[] {
  const records = presence.records;
  const absent = records === 0 ? [] : REQUIRED_FIELDS.filter((field) => presence[`missing_${field}`] === records);
  if (absent.length === 0) return [];
  throw new InputError(
    file.path,
    `no record gave required field${absent.length > 1 ? 's' : ''} ${absent.map((f) => `"${f}"`).join(', ')} by the source ${source.name} ` +
      `(${source.file}: fields.${absent[0]}); the file was not loaded. Is it that source? Name another with --source NAME`,
  );
}

/** How the records of a source file were read, for the ingest table. */
function sourceReadNote(source: SourceSpec, staging: SourceStaging): string {
  const framing = staging.framingLines > 0 ? `; ${staging.framingLines} header or comment line${staging.framingLines === 1 ? '' : 's'}` : '';
  return `read as ${source.name}: ${staging.records} record${staging.records === 1 ? '' : 's'}${framing}`;
}

/** A header that is one comma-free field holding semicolons or tabs is another delimiter's: say so, not --map. */
function otherDelimiterHint(header: readonly string[]): string | null {
  if (header.length !== 1) return null;
  const delimiter = [';', '\t', '|'].find((d) => header[0]!.includes(d));
  if (delimiter === undefined) return null;
  const name = delimiter === ';' ? 'semicolons' : delimiter === '\t' ? 'tabs' : 'pipes';
  return `the header is separated by ${name}, not commas: read it with a source definition that declares the delimiter (format: csv, delimiter: ${name === 'tabs' ? 'tab' : name === 'pipes' ? 'pipe' : 'semicolon'}; docs/sources.md)`;
}

/** The header as written when it is short, printable text; else quoted (control characters escaped) and shortened. */
function shownHeader(header: readonly string[]): string {
  const text = header.join(',');
  if (text.length <= 200 && !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text)) return text;
  const quoted = JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
  return quoted.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function firstLineOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function describeReadError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = firstLineOf(error);
  if (/incorrect header check|invalid stored block|unexpected end of file|invalid distance|Z_BUF_ERROR|Z_DATA_ERROR/i.test(message)) {
    return `cannot decompress: ${firstLine} (a truncated or corrupt compressed file?)`;
  }
  if (/No magic bytes found|parquet/i.test(message)) return `cannot read as Parquet: ${firstLine}`;
  return firstLine;
}
