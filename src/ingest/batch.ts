/**
 * Small log files, many at a time. A file of a few hundred lines costs the
 * ingest a dozen statements whose fixed cost dwarfs its lines (about 60 ms a
 * file: 10,000 files took ten minutes). A batch is a run of consecutive small
 * native JSON Lines files: one registry lookup, one staging pass, one parse,
 * one deduplication and one transaction for all of them, with every per-file
 * guarantee of a file ingested alone (src/ingest/file-steps.ts: each query
 * answers per file).
 *
 * A batch keeps to what it can do exactly: a file that needs anything else
 * (a source of its own, a grown or replaceable earlier entry, a line the fast
 * reader did not read as the file's own byte counts say) ends the batch before
 * it, and is ingested alone. So the files are committed in their order, and
 * what is stored is what ingesting them one by one would store.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Database } from '../db/database.js';
import { varcharList } from '../db/database.js';
import { InputError, QueryFileError } from '../errors.js';
import { loadQuery } from '../queries.js';
import type { LogFile } from './discover.js';
import {
  alreadyIngested,
  commitFiles,
  emptyResult,
  entriesByContent,
  fieldPresence,
  growthCandidates,
  growthLimit,
  parseAndValidate,
  refuseWhenFieldNamesDiffer,
  replaceableEntry,
  stagedAsPrinted,
  stagedLineTotals,
  type FileCommit,
} from './file-steps.js';
import { fingerprint, fingerprintBytes, HEAD_BYTES, readHead, type Fingerprint } from './fingerprint.js';
import { identityMapping } from './mapping.js';
import { LOG_FIELDS } from './schema.js';
import { NATIVE_SOURCE, recogniseSource } from './sources/catalog.js';
import { rememberContentHashes, statOf, type FileStat } from './stat-cache.js';
import type { FileResult, IngestOptions } from './ingester.js';

/** A file at most this large (on disk) may join a batch: larger ones gain nothing from one. */
export const SMALL_FILE_BYTES = 1 << 20;
/**
 * At most this many files, and about this many bytes of content, in one batch (its staged lines
 * stay in memory or spill). Large enough for a batch to span DuckDB row groups (122,880 rows):
 * a smaller one is parsed on one thread, and its commit writes the rows to the WAL.
 */
export const MAX_BATCH_FILES = 4000;
export const MAX_BATCH_BYTES = 64 << 20;
/** A compressed file counts as this many times its size: its content is not known before reading it. */
const COMPRESSED_EXPANSION = 8;

/**
 * The files from `start` that may be ingested as one batch: small native JSON Lines files of
 * one compression, named without glob characters (DuckDB's reader would expand them), no path
 * twice, up to the next file the run found unchanged by its stat (`settled`: it is not read
 * again). Whether each really is native is known only from its first bytes (ingestBatch).
 */
export function batchCandidates(files: readonly LogFile[], start: number, options: IngestOptions, settled: readonly unknown[]): LogFile[] {
  if (options.store || !nativeByOptions(options)) return [];
  const run: LogFile[] = [];
  const paths = new Set<string>();
  let bytes = 0;
  for (let i = start; i < files.length && run.length < MAX_BATCH_FILES; i++) {
    const file = files[i]!;
    const fits =
      file.format === 'jsonl' &&
      file.bytes <= SMALL_FILE_BYTES &&
      file.compression === files[start]!.compression &&
      file.compression !== 'zstd' &&
      !/[*?[\]{}\\]/.test(file.absolutePath) &&
      !paths.has(file.absolutePath) &&
      settled[i] === undefined &&
      bytes + contentEstimate(file) <= MAX_BATCH_BYTES;
    if (!fits) break;
    run.push(file);
    paths.add(file.absolutePath);
    bytes += contentEstimate(file);
  }
  return run;
}

function contentEstimate(file: LogFile): number {
  return file.compression === 'none' ? file.bytes : file.bytes * COMPRESSED_EXPANSION;
}

/** The bytes of a file of at most SMALL_FILE_BYTES (`expected`: its size by its stat); null for a larger one. */
function readSmallFile(path: string, expected: number): Buffer | null {
  if (expected > SMALL_FILE_BYTES) return null;
  const fd = openSync(path, 'r');
  try {
    // One byte more than its stat said: a file that grew since shows it.
    const buffer = Buffer.allocUnsafe(expected + 1);
    let size = 0;
    for (let n = -1; n !== 0 && size < buffer.length; size += n) n = readSync(fd, buffer, size, buffer.length - size, null);
    return size > expected ? null : buffer.subarray(0, size);
  } finally {
    closeSync(fd);
  }
}

/** Native by the options: --source routeaudit, or none given (then a file's first bytes may still name a source). */
function nativeByOptions(options: IngestOptions): boolean {
  return options.source === undefined || options.source === null || options.source === 'auto';
}

/** Whether the first bytes make a file another source's (ingester.ts, chooseSource): recognised only with no --map. */
function readByASource(file: LogFile, head: Buffer, options: IngestOptions): boolean {
  if (options.source === null || JSON.stringify(options.mapping) !== JSON.stringify(identityMapping())) return false;
  const text = head.toString('utf8');
  try {
    return recogniseSource(text, file.path) !== null || text.trimStart().startsWith('[');
  } catch (error) {
    // Ambiguous: the single path says so, for this file alone.
    if (error instanceof InputError) return true;
    throw error;
  }
}

/** A file of the batch and what is known of it so far. */
interface Member {
  file: LogFile;
  stat: FileStat;
  print: Fingerprint;
  /** Its place among the staged files. */
  filePos: number;
  result?: FileResult;
  /** An earlier file of the batch with the same content: this one is what that one is. */
  sameAs?: Member;
}

/**
 * Ingests a prefix of `run` as one batch and returns its results, in order; the caller ingests
 * the file after the prefix alone. Returns null when the batch's files could not be staged
 * together (a file DuckDB's reader refuses, say): then each file is ingested alone.
 */
export async function ingestBatch(db: Database, run: readonly LogFile[], options: IngestOptions): Promise<FileResult[] | null> {
  const members: Member[] = [];
  for (const file of run) {
    let stat: FileStat;
    let head: Buffer;
    let print: Fingerprint;
    try {
      stat = statOf(file.absolutePath);
      if (file.compression === 'none') {
        // Read whole, once: its head and its fingerprint both come from these bytes.
        const content = readSmallFile(file.absolutePath, stat.bytes);
        if (content === null) break;
        head = content.subarray(0, HEAD_BYTES);
        print = fingerprintBytes(content);
      } else {
        head = await readHead(file.absolutePath, file.compression);
        // Before DuckDB reads it: a decompression bomb stops the fingerprint early (limits.ts), and the batch ends before it.
        print = await fingerprint(file.absolutePath, file.compression, []);
      }
    } catch {
      // A file that cannot be read (gone, corrupt, a decompression bomb): the single path reports it.
      break;
    }
    // A recognised source, or a JSON document ('['), is read by its source: the batch ends here.
    if (readByASource(file, head, options)) break;
    members.push({ file, stat, print, filePos: members.length });
  }
  await cutAtGrowth(db, members);
  if (members.length === 0) return [];

  const staged = [...members];
  if (!(await stageLines(db, staged))) return null;
  const totals = await stagedLineTotals(db, staged.length);
  const exactUpTo = members.findIndex((m) => !stagedAsPrinted(totals[m.filePos]!, m.print));
  if (exactUpTo >= 0) members.length = exactUpTo;

  const mapping = JSON.stringify(options.mapping);
  const known = await entriesByContent(db, members.map((m) => m.print.sha256));
  const firstOfContent = new Map<string, Member>();
  for (const [k, member] of [...members.entries()]) {
    const entry = known[k];
    if (entry) {
      // A replaceable entry is for the single path (it forgets the entry in the file's transaction).
      if ((await replaceableEntry(db, entry.file_id, member.file, mapping)) !== null) {
        members.length = k;
        break;
      }
      member.result = alreadyIngested(emptyResult(member.file), entry);
    } else {
      const earlier = firstOfContent.get(member.print.sha256);
      if (earlier) member.sameAs = earlier;
      else firstOfContent.set(member.print.sha256, member);
    }
  }
  await rememberContentHashes(
    db,
    members.filter((m) => m.result !== undefined).map((m) => ({ absolutePath: m.file.absolutePath, stat: m.stat, contentSha256: m.print.sha256 })),
  );

  // Only the files this batch commits keep their staged lines.
  const committing = members.filter((m) => m.result === undefined && m.sameAs === undefined);
  if (committing.length < staged.length) {
    await db.run(loadQuery('ingest/keep-staged-files.sql'), { file_pos: varcharList(committing.map((m) => String(m.filePos))) });
  }
  await parseAndValidate(db, { format: 'jsonl', firstLine: 1, mapping: options.mapping, positions: LOG_FIELDS.map(() => null), headerWidth: 0 });
  const presence = await fieldPresence(db, staged.length);
  const notes = new Map<Member, string[]>();
  const refused: string[] = [];
  for (const member of committing) {
    try {
      notes.set(member, refuseWhenFieldNamesDiffer(presence[member.filePos]!, member.file, options.mapping));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      member.result = { ...emptyResult(member.file), status: 'failed', note: error.problem };
      refused.push(String(member.filePos));
    }
  }
  if (refused.length > 0) await db.run(loadQuery('ingest/drop-staged-files.sql'), { file_pos: varcharList(refused) });
  await db.run(loadQuery('ingest/file-copies.sql'));

  const commits: FileCommit[] = committing
    .filter((m) => m.result === undefined)
    .map((m) => ({
      filePos: m.filePos,
      file: m.file,
      print: m.print,
      stat: m.stat,
      totalLines: m.print.lines,
      firstLine: 1,
      extendsFileId: null,
      replacing: null,
      mapping,
      source: NATIVE_SOURCE,
      lacks: [],
      gaps: { count: 0, firstLine: null, firstReason: null },
    }));
  if (commits.length > 0) {
    const range = { lo: presence[0]?.batch_lo ?? null, hi: presence[0]?.batch_hi ?? null };
    const counts = await commitFiles(db, commits, staged.length, range, options);
    for (const [k, commit] of commits.entries()) {
      const member = committing.find((m) => m.filePos === commit.filePos)!;
      const n = counts[k]!;
      member.result = {
        ...emptyResult(member.file),
        fileId: n.file_id,
        note: notes.get(member)!.join('; ') || null,
        linesRead: n.lines_read,
        loaded: n.loaded,
        duplicates: n.duplicates,
        rejected: n.rejected,
      };
    }
  }
  for (const member of members) {
    if (member.sameAs === undefined) continue;
    const original = member.sameAs.result!;
    member.result =
      original.status === 'failed'
        ? { ...emptyResult(member.file), status: 'failed', note: original.note }
        : alreadyIngested(emptyResult(member.file), { file_id: original.fileId!, path: member.sameAs.file.path });
  }
  await rememberContentHashes(
    db,
    members.filter((m) => m.sameAs && m.result!.status !== 'failed').map((m) => ({ absolutePath: m.file.absolutePath, stat: m.stat, contentSha256: m.print.sha256 })),
  );
  return members.map((m) => m.result!);
}

/**
 * The batch ends before a file that may have grown from an earlier entry, or whose first 4 KiB
 * an earlier file of the batch shares (it may have grown from that one): it resumes alone.
 */
async function cutAtGrowth(db: Database, members: Member[]): Promise<void> {
  const candidates = await growthCandidates(
    db,
    'jsonl',
    members.map((m) => ({ absolutePath: m.file.absolutePath, headSha256: m.print.headSha256, maxBytes: growthLimit(m.file) })),
  );
  const heads = new Set<string>();
  for (const [k, member] of members.entries()) {
    const sharesHead = member.print.bytes >= HEAD_BYTES && heads.has(member.print.headSha256);
    if (candidates[k]!.length > 0 || sharesHead) {
      members.length = k;
      return;
    }
    heads.add(member.print.headSha256);
  }
}

/** Stages the files' lines with DuckDB's reader (each file's fingerprint is already known); false when the reader refused the batch. */
async function stageLines(db: Database, staged: Member[]): Promise<boolean> {
  try {
    await db.run(loadQuery('ingest/stage-batch-lines.sql'), {
      paths: varcharList(staged.map((m) => m.file.absolutePath)),
      compression: staged[0]!.file.compression,
    });
    return true;
  } catch (error) {
    if (error instanceof QueryFileError) throw error;
    return false;
  }
}
