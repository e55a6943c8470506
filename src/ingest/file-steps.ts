/**
 * The steps of an ingest that take one file or a batch of small ones alike
 * (src/ingest/batch.ts): the registry lookups, the one-pass parse, the field
 * presence check and the commit. A file's place in its batch is its file_pos
 * (0 for a file ingested alone); every query answers per file_pos, so that a
 * batch commits exactly what committing its files one by one, in order, would.
 */
import type { Database } from '../db/database.js';
import { varcharList } from '../db/database.js';
import type { RowOf } from '../db/shape.js';
import { InputError } from '../errors.js';
import { loadQuery, queryRow, queryRows } from '../queries.js';
import type { LogFile } from './discover.js';
import type { Fingerprint } from './fingerprint.js';
import { MAX_LINE_BYTES } from './limits.js';
import { jsonPathFor, jsonTransformPlan, type ColumnMapping } from './mapping.js';
import type { RemoteStore } from './clickhouse-store.js';
import type { FileResult } from './ingester.js';
import { LOG_FIELDS, REQUIRED_FIELDS } from './schema.js';
import { NATIVE_SOURCE } from './sources/names.js';
import {
  BATCH_RANGE_ROW,
  FIELD_PRESENCE_ROW,
  FILE_COUNTS_ROW,
  GROWTH_CANDIDATE_ROW,
  NEXT_FILE_ID_ROW,
  REGISTRY_ENTRY_ROW,
  REPLACEABLE_ENTRY_ROW,
  STAGED_LINE_TOTALS_ROW,
} from './shapes.js';
import { rememberContentHashes, type FileStat } from './stat-cache.js';

export type RegistryEntry = RowOf<typeof REGISTRY_ENTRY_ROW.columns>;
export type ReplaceableEntry = RowOf<typeof REPLACEABLE_ENTRY_ROW.columns>;
export type GrowthCandidate = RowOf<typeof GROWTH_CANDIDATE_ROW.columns>;
export type FieldPresence = RowOf<typeof FIELD_PRESENCE_ROW.columns>;
export type StagedLineTotals = RowOf<typeof STAGED_LINE_TOTALS_ROW.columns>;
export type LineCountsRow = RowOf<typeof FILE_COUNTS_ROW.columns>;

/** Per file, the registry entry of its unchanged stat (stat-cache-lookup.sql), if any. */
export async function entriesByStat(db: Database, files: readonly { absolutePath: string; stat: FileStat }[]): Promise<(RegistryEntry | undefined)[]> {
  const rows = await queryRows(db, REGISTRY_ENTRY_ROW, 'ingest/stat-cache-lookup.sql', {
    absolute_paths: varcharList(files.map((f) => f.absolutePath)),
    stat_keys: varcharList(files.map((f) => f.stat.key)),
  });
  return byPlace(rows, files.length);
}

/** Per content hash, the first registry entry of that content (registry-lookup.sql), if any. */
export async function entriesByContent(db: Database, sha256s: readonly string[]): Promise<(RegistryEntry | undefined)[]> {
  const rows = await queryRows(db, REGISTRY_ENTRY_ROW, 'ingest/registry-lookup.sql', { content_sha256s: varcharList(sha256s) });
  return byPlace(rows, sha256s.length);
}

/** Per file, the entries it may have grown from (growth-candidates.sql), largest first. */
export async function growthCandidates(
  db: Database,
  format: LogFile['format'],
  files: readonly { absolutePath: string; headSha256: string; maxBytes: number }[],
): Promise<GrowthCandidate[][]> {
  const rows = await queryRows(db, GROWTH_CANDIDATE_ROW, 'ingest/growth-candidates.sql', {
    format,
    absolute_paths: varcharList(files.map((f) => f.absolutePath)),
    head_sha256s: varcharList(files.map((f) => f.headSha256)),
    max_bytes: varcharList(files.map((f) => String(f.maxBytes))),
  });
  const candidates = files.map((): GrowthCandidate[] => []);
  for (const row of rows) candidates[row.i]!.push(row);
  return candidates;
}

/** What the fast line reader staged for each of the batch's files (staged-line-totals.sql). */
export function stagedLineTotals(db: Database, files: number): Promise<StagedLineTotals[]> {
  return queryRows(db, STAGED_LINE_TOTALS_ROW, 'ingest/staged-line-totals.sql', { files });
}

/** Whether the fast reader staged exactly the file's lines: its line count and text bytes match the file's own. */
export function stagedAsPrinted(staged: StagedLineTotals, print: Fingerprint): boolean {
  return staged.lines === print.lines && staged.text_bytes === print.bytes - print.newlines - print.crlfs;
}

/** Runs records.sql: one pass from staged_lines to typed, validated staged_records. */
export async function parseAndValidate(
  db: Database,
  input: { format: 'csv' | 'jsonl'; firstLine: number; mapping: ColumnMapping; positions: (string | null)[]; headerWidth: number },
): Promise<void> {
  const transform = jsonTransformPlan(input.mapping);
  await db.runScript(loadQuery('ingest/records.sql'), {
    format: input.format,
    first_line: input.firstLine,
    flat: transform.flat,
    structure: transform.structure,
    paths: varcharList(LOG_FIELDS.map((field) => jsonPathFor(input.mapping[field]))),
    positions: varcharList(input.positions),
    header_width: input.headerWidth,
    max_line_bytes: MAX_LINE_BYTES,
    fields: varcharList([...LOG_FIELDS]),
  });
}

/** Per file of the batch, how many records lack or have each field, and their time range (field-presence.sql). */
export function fieldPresence(db: Database, files: number): Promise<FieldPresence[]> {
  return queryRows(db, FIELD_PRESENCE_ROW, 'ingest/field-presence.sql', { files });
}

/** Refuses a file whose records all lack a required field; returns the notes for explicit --map sources of optional fields that no record has. */
export function refuseWhenFieldNamesDiffer(presence: FieldPresence, file: LogFile, mapping: ColumnMapping): string[] {
  const records = presence.records;
  if (records === 0) return [];
  const absent = REQUIRED_FIELDS.filter((field) => presence[`missing_${field}`] === records);
  if (absent.length === 0) {
    return LOG_FIELDS.filter((field) => !REQUIRED_FIELDS.includes(field) && mapping[field] !== field && presence[`present_${field}`] === 0).map(
      (field) => `--map ${field}=${mapping[field]}: no record has a value there, so ${field} loaded empty (a typo?)`,
    );
  }
  throw new InputError(
    file.path,
    `no record has required field${absent.length > 1 ? 's' : ''} ${absent.map((f) => `"${mapping[f]}"`).join(', ')}; ` +
      'the file was not loaded. If the field names differ, map them, e.g. --map ts=timestamp',
  );
}

/** A file to commit: its place in the batch, its registry entry's fields, and what its stat was when hashed. */
export interface FileCommit {
  filePos: number;
  file: LogFile;
  print: Fingerprint;
  stat: FileStat;
  totalLines: number;
  firstLine: number;
  extendsFileId: number | null;
  /** The replaceable entry of the same content that this reading replaces (forget-file.sql). */
  replacing: number | null;
  mapping: string;
  source: string;
  lacks: readonly string[];
  gaps: { count: number; firstLine: number | null; firstReason: string | null };
}

/**
 * Commits the files in one transaction, in file_pos order: each one's rejects, duplicates
 * (within the batch and against stored records in [lo, hi]), records and registry entry, each
 * file's counts checked against the rows stored under its id. Returns each file's counts, in
 * the order of `commits`. An empty batch of staged records commits the files with nothing stored.
 */
export async function commitFiles(
  db: Database,
  commits: readonly FileCommit[],
  batchSize: number,
  range: { lo: string | null; hi: string | null },
  options: { now: () => Date; store?: RemoteStore },
): Promise<LineCountsRow[]> {
  return db.transaction(async () => {
    for (const commit of commits) {
      if (commit.replacing !== null) await db.runScript(loadQuery('ingest/forget-file.sql'), { file_id: commit.replacing });
    }
    // A store publishes a file and then forgets the local copies of stored records: one file at a time (batch.ts keeps to that).
    if (options.store && commits.length > 1) throw new Error(`a remote store commits one file at a time, not ${commits.length}`);
    const ids = options.store ? commits.map(() => options.store!.nextFileId()) : await newFileIds(db, commits.length);
    const fileIds: (string | null)[] = new Array<string | null>(batchSize).fill(null);
    commits.forEach((commit, k) => (fileIds[commit.filePos] = String(ids[k])));
    await options.store?.bringStoredRecords(db, range.lo, range.hi);
    await findStoredMatches(db, range.lo, range.hi);
    await db.runScript(loadQuery('ingest/commit-files.sql'), { file_ids: varcharList(fileIds) });
    const counts = await queryRows(db, FILE_COUNTS_ROW, 'ingest/file-counts.sql', {
      file_ids: varcharList(fileIds),
      min_file_id: Math.min(...ids),
      max_file_id: Math.max(...ids),
    });
    const byPos = new Map(counts.map((row) => [row.file_pos, row]));
    const ordered = commits.map((commit) => {
      const row = byPos.get(commit.filePos);
      if (!row || row.lines_read !== row.loaded + row.duplicates + row.rejected) {
        throw new Error(`${commit.file.path}: counts do not add up (${JSON.stringify(row ?? null)})`);
      }
      return row;
    });
    await register(db, commits, ordered, options.now().toISOString());
    await rememberContentHashes(
      db,
      commits.map((c) => ({ absolutePath: c.file.absolutePath, stat: c.stat, contentSha256: c.print.sha256 })),
    );
    // Inside the local transaction: a refused publish rolls the local copy back too.
    for (const [k, commit] of commits.entries()) await options.store?.publish(db, ordered[k]!.file_id, commit.replacing);
    return ordered;
  });
}

/** Ids for n files, increasing, so that the files' order is their ids' order. */
async function newFileIds(db: Database, n: number): Promise<number[]> {
  const rows = await queryRows(db, NEXT_FILE_ID_ROW, 'ingest/next-file-id.sql', { count: n });
  return rows.map((row) => row.file_id).sort((a, b) => a - b);
}

async function register(db: Database, commits: readonly FileCommit[], counts: readonly LineCountsRow[], ingestedAt: string): Promise<void> {
  await db.run(loadQuery('ingest/create-staged-entries.sql'));
  await db.appendToTemp(
    'staged_entries',
    commits.map((c, k) => {
      const n = counts[k]!;
      return [
        n.file_id, c.file.path, c.file.absolutePath, c.file.format, c.file.compression,
        c.print.sha256, c.print.bytes, c.print.headSha256, c.print.endsWithNewline,
        c.totalLines, c.extendsFileId, c.firstLine,
        n.lines_read, n.loaded, n.duplicates, n.rejected,
        c.mapping, ingestedAt, c.source, JSON.stringify(c.lacks),
        c.gaps.count, c.gaps.firstLine, c.gaps.firstReason,
      ];
    }),
  );
  await db.run(loadQuery('ingest/register-files.sql'));
}

/**
 * Records equal to stored ones: only when a stored record lies in the files' time range,
 * checked first with the range bound as constants (cheap: the scan skips row groups by
 * their statistics), so files of new days join nothing.
 */
async function findStoredMatches(db: Database, lo: string | null, hi: string | null): Promise<void> {
  const { overlaps } = await queryRow(db, BATCH_RANGE_ROW, 'ingest/batch-range.sql', { lo, hi });
  if (overlaps) await db.run(loadQuery('ingest/stored-matches.sql'), { lo, hi });
  else await db.run(loadQuery('ingest/no-stored-matches.sql'));
}

/**
 * The earlier entry of this content that a corrected --format or --map may replace
 * (queries/ingest/replaceable-entry.sql), or null: then the file is already ingested.
 */
export async function replaceableEntry(db: Database, fileId: number, file: LogFile, reading: string): Promise<ReplaceableEntry | null> {
  const rows = await queryRows(db, REPLACEABLE_ENTRY_ROW, 'ingest/replaceable-entry.sql', {
    file_id: fileId,
    format: file.format,
    mapping: reading,
  });
  return rows[0] ?? null;
}

/** A file whose content is registered: its result names the entry, and the source that read that content. */
export function alreadyIngested(result: FileResult, entry: { file_id: number; path: string; source?: string }): FileResult {
  return { ...result, source: entry.source ?? result.source, status: 'already-ingested', fileId: entry.file_id, note: `same content as ${entry.path}` };
}

/** An entry this file grew from is smaller than it: a compressed file's content size is not known before reading it. */
export function growthLimit(file: LogFile): number {
  return file.compression === 'none' ? file.bytes : Number.MAX_SAFE_INTEGER;
}

/** A file's result before anything is known of it: loaded, nothing read yet. */
export function emptyResult(file: LogFile): FileResult {
  return {
    path: file.path,
    format: file.format,
    compression: file.compression,
    source: NATIVE_SOURCE,
    status: 'loaded',
    fileId: null,
    resumedAfterLine: null,
    note: null,
    linesRead: 0,
    loaded: 0,
    duplicates: 0,
    rejected: 0,
  };
}

function byPlace(rows: readonly RegistryEntry[], n: number): (RegistryEntry | undefined)[] {
  const entries = new Array<RegistryEntry | undefined>(n).fill(undefined);
  for (const row of rows) entries[row.i] = row;
  return entries;
}
