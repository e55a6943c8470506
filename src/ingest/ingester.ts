/**
 * Loads log files into DuckDB, one transaction per file, so that a file's
 * records, duplicates, rejects and registry entry appear together or not at all.
 *
 * Per file: fingerprint the content (skip a file whose content is registered;
 * resume a file that grew) -> stage its lines with DuckDB's reader and check
 * them against the file's own counts (else stage them exactly in JS) -> parse
 * (JSON, CSV or Parquet-as-JSON) -> validate -> deduplicate -> commit.
 * Invariant: lines_read = loaded + duplicates + rejected, for every file.
 */
import type { Database } from '../db/database.js';
import { varcharList } from '../db/database.js';
import { InputError } from '../errors.js';
import { loadQuery } from '../queries.js';
import type { LogFile } from './discover.js';
import { fingerprint, readHead, sha256Hex, type Fingerprint } from './fingerprint.js';
import { stageLinesExactly } from './lines.js';
import { jsonPathFor, type ColumnMapping } from './mapping.js';
import { LOG_FIELDS, REQUIRED_FIELDS } from './schema.js';

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
  now: () => Date;
  onProgress?: (progress: IngestProgress) => void;
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
  for (const [index, file] of files.entries()) {
    options.onProgress?.({ filesDone: index, filesTotal: files.length, linesRead: totals.linesRead, currentFile: file.path });
    const result = await ingestOneFile(db, file, options);
    results.push(result);
    totals.linesRead += result.linesRead;
    totals.loaded += result.loaded;
    totals.duplicates += result.duplicates;
    totals.rejected += result.rejected;
  }
  options.onProgress?.({ filesDone: files.length, filesTotal: files.length, linesRead: totals.linesRead, currentFile: '' });
  return { files: results, totals, failed: results.filter((r) => r.status === 'failed').length };
}

async function ingestOneFile(db: Database, file: LogFile, options: IngestOptions): Promise<FileResult> {
  const base: FileResult = {
    path: file.path,
    format: file.format,
    compression: file.compression,
    status: 'loaded',
    fileId: null,
    resumedAfterLine: null,
    note: null,
    linesRead: 0,
    loaded: 0,
    duplicates: 0,
    rejected: 0,
  };
  try {
    return await loadFile(db, file, options, base);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError) throw error;
    const message = error instanceof InputError ? error.problem : describeReadError(error);
    return { ...base, status: 'failed', note: message };
  }
}

async function loadFile(db: Database, file: LogFile, options: IngestOptions, result: FileResult): Promise<FileResult> {
  const growth = await findGrowthCandidates(db, file);
  const print = await fingerprint(file.absolutePath, file.format === 'parquet' ? 'none' : file.compression, growth.map((c) => c.content_bytes));

  const known = await db.all<{ file_id: number; path: string }>(loadQuery('ingest/registry-lookup.sql'), { content_sha256: print.sha256 });
  if (known.length > 0) {
    return { ...result, status: 'already-ingested', fileId: known[0]!.file_id, note: `same content as ${known[0]!.path}` };
  }
  const extended = growth.find((c) => print.prefixSha256.get(c.content_bytes) === c.content_sha256) ?? null;
  const firstLine = extended ? extended.total_lines + 1 : 1;

  const totalLines = await stageLines(db, file, print);
  const slowPath = totalLines.exact ? 'read line by line (the fast reader disagreed with the file\'s byte counts)' : null;
  await parseStagedLines(db, file, firstLine, options.mapping);
  await refuseWhenFieldNamesDiffer(db, file, options.mapping);
  await db.runScript(loadQuery('ingest/validate.sql'), { fields: varcharList([...LOG_FIELDS]) });

  return db.transaction(async () => {
    const { file_id: fileId } = await db.one<{ file_id: number }>(`SELECT nextval('ingested_file_ids') AS file_id`);
    await db.runScript(loadQuery('ingest/commit-file.sql'), { file_id: fileId });
    const counts = await db.one<{ lines_read: number; loaded: number; duplicates: number; rejected: number }>(loadQuery('ingest/file-counts.sql'));
    if (counts.lines_read !== counts.loaded + counts.duplicates + counts.rejected) {
      throw new Error(`${file.path}: counts do not add up (${JSON.stringify(counts)})`);
    }
    await db.run(loadQuery('ingest/register-file.sql'), {
      file_id: fileId,
      path: file.path,
      absolute_path: file.absolutePath,
      format: file.format,
      compression: file.compression,
      content_sha256: print.sha256,
      content_bytes: print.bytes,
      head_sha256: print.headSha256,
      ends_with_newline: print.endsWithNewline,
      total_lines: totalLines.lines,
      extends_file_id: extended?.file_id ?? null,
      first_line: firstLine,
      lines_read: counts.lines_read,
      loaded: counts.loaded,
      duplicates: counts.duplicates,
      rejected: counts.rejected,
      mapping: JSON.stringify(options.mapping),
      ingested_at: options.now().toISOString(),
    });
    return {
      ...result,
      fileId,
      resumedAfterLine: extended ? extended.total_lines : null,
      note: extended ? `grew since ${extended.path} was ingested: read from line ${firstLine}` : slowPath,
      linesRead: counts.lines_read,
      loaded: counts.loaded,
      duplicates: counts.duplicates,
      rejected: counts.rejected,
    };
  });
}

interface GrowthCandidate {
  file_id: number;
  path: string;
  content_bytes: number;
  content_sha256: string;
  total_lines: number;
  [key: string]: string | number;
}

async function findGrowthCandidates(db: Database, file: LogFile): Promise<GrowthCandidate[]> {
  if (file.format === 'parquet') return [];
  const head = await readHead(file.absolutePath, file.compression);
  return db.all<GrowthCandidate>(loadQuery('ingest/growth-candidates.sql'), {
    format: file.format,
    absolute_path: file.absolutePath,
    head_sha256: sha256Hex(head),
    max_bytes: file.compression === 'none' ? file.bytes : Number.MAX_SAFE_INTEGER,
  });
}

/**
 * Stages every line (Parquet: row) into staged_lines. The fast reader's result
 * is trusted only when its line count and text bytes match the file's own.
 */
async function stageLines(db: Database, file: LogFile, print: Fingerprint): Promise<{ lines: number; exact: boolean }> {
  if (file.format === 'parquet') {
    await db.run(loadQuery('ingest/stage-parquet.sql'), { path: file.absolutePath });
    const { row_count: expected } = await db.one<{ row_count: number }>(loadQuery('ingest/parquet-rows.sql'), { path: file.absolutePath });
    const { lines } = await db.one<{ lines: number }>(loadQuery('ingest/staged-line-totals.sql'));
    if (lines !== expected) throw new Error(`${file.path}: read ${lines} Parquet rows, metadata says ${expected}`);
    return { lines, exact: false };
  }
  if (print.bytes === 0) {
    await db.run(loadQuery('ingest/create-staged-lines.sql'));
    return { lines: 0, exact: false };
  }
  try {
    await db.run(loadQuery('ingest/stage-lines.sql'), { path: file.absolutePath, compression: file.compression === 'none' ? 'none' : file.compression });
    const staged = await db.one<{ lines: number; text_bytes: number }>(loadQuery('ingest/staged-line-totals.sql'));
    const expectedTextBytes = print.bytes - print.newlines - print.crlfs;
    if (staged.lines === print.lines && staged.text_bytes === expectedTextBytes) return { lines: staged.lines, exact: false };
  } catch {
    // DuckDB refuses some files outright (invalid UTF-8, say): the exact reader handles them.
  }
  const lines = await stageLinesExactly(db, file.absolutePath, file.compression);
  if (lines !== print.lines) throw new Error(`${file.path}: staged ${lines} lines, the file has ${print.lines}`);
  return { lines, exact: true };
}

async function parseStagedLines(db: Database, file: LogFile, firstLine: number, mapping: ColumnMapping): Promise<void> {
  if (file.format === 'csv') {
    const header = await readCsvHeader(db, file);
    const positions = LOG_FIELDS.map((field) => {
      const index = header.indexOf(mapping[field]);
      return index < 0 ? null : String(index + 1);
    });
    const missing = REQUIRED_FIELDS.filter((field) => positions[LOG_FIELDS.indexOf(field)] === null);
    if (missing.length > 0) {
      throw new InputError(
        file.path,
        `the CSV header has no column for required field${missing.length > 1 ? 's' : ''} ${missing.map((f) => `"${f}"${mapping[f] !== f ? ` (mapped from "${mapping[f]}")` : ''}`).join(', ')}; ` +
          `header: ${header.join(',')}; use --map FIELD=COLUMN if the names differ`,
        1,
      );
    }
    await db.runScript(loadQuery('ingest/parse-csv.sql'), { first_line: firstLine, positions: varcharList(positions), header_width: header.length });
    return;
  }
  await db.runScript(loadQuery('ingest/parse-jsonl.sql'), {
    first_line: firstLine,
    paths: varcharList(LOG_FIELDS.map((field) => jsonPathFor(mapping[field]))),
  });
}

async function readCsvHeader(db: Database, file: LogFile): Promise<string[]> {
  const rows = await db.all<{ fields: string[] | null; line: string | null }>(
    `SELECT ra_csv_fields(regexp_replace(line, '\\r$', '')) AS fields, line FROM staged_lines WHERE line_no = 1`,
  );
  if (rows.length === 0) throw new InputError(file.path, 'empty CSV file: expected a header row', 1);
  const fields = rows[0]!.fields;
  if (!fields || fields.every((f) => f.trim() === '')) throw new InputError(file.path, 'the first line is not a CSV header row', 1);
  const names = fields.map((f) => f.trim());
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new InputError(file.path, `the CSV header names column "${duplicate}" twice`, 1);
  return names;
}

async function refuseWhenFieldNamesDiffer(db: Database, file: LogFile, mapping: ColumnMapping): Promise<void> {
  const presence = await db.one<Record<string, number>>(loadQuery('ingest/field-presence.sql'));
  const records = presence.records ?? 0;
  if (records === 0) return;
  const absent = REQUIRED_FIELDS.filter((field) => presence[`missing_${field}`] === records);
  if (absent.length === 0) return;
  throw new InputError(
    file.path,
    `no record has required field${absent.length > 1 ? 's' : ''} ${absent.map((f) => `"${mapping[f]}"`).join(', ')}; ` +
      'the file was not loaded. If the field names differ, map them, e.g. --map ts=timestamp',
  );
}

function describeReadError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? message;
  if (/incorrect header check|invalid stored block|unexpected end of file|invalid distance|Z_BUF_ERROR|Z_DATA_ERROR/i.test(message)) {
    return `cannot decompress: ${firstLine} (a truncated or corrupt compressed file?)`;
  }
  if (/No magic bytes found|parquet/i.test(message)) return `cannot read as Parquet: ${firstLine}`;
  return firstLine;
}
