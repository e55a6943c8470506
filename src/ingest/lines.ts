/**
 * The exact line reader: splits the decompressed bytes on '\n' in JavaScript and
 * appends them to staged_lines. Slower than DuckDB's reader, so it only runs
 * when that one disagrees with the file's own counts (e.g. invalid UTF-8, or a
 * line containing the reader's delimiter). A '\r' before '\n' is dropped, as
 * DuckDB's reader does; a line that is not valid UTF-8 is kept with its bytes
 * decoded leniently and flagged, so it becomes a reject rather than vanishing.
 *
 * Memory is bounded by MAX_LINE_BYTES: a longer line is never held whole. Only
 * its first KEPT_PREFIX_BYTES are kept (enough for the 4096 characters a reject
 * shows), with its byte length and the SHA-256 of all its bytes, and it becomes
 * a reject ("line too long") in records.sql.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Database } from '../db/database.js';
import { loadQuery } from '../queries.js';
import type { Compression } from './discover.js';
import { openContent } from './fingerprint.js';
import { MAX_LINE_BYTES } from './limits.js';

/** At least 4096 characters of any UTF-8 text (at most 4 bytes each). */
const KEPT_PREFIX_BYTES = 4 * 4096;
const BATCH_ROWS = 5000;
const CR = 13;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

type StagedRow = [lineNo: number, part: number, shown: null, text: string, badUtf8: boolean, rawBytes: number, sha256: string | null, problem: null, filePos: 0];

/** A line over MAX_LINE_BYTES, as it streams past: its first bytes, its length and its hash. */
interface LongLine {
  prefix: Buffer;
  hash: Hash;
  bytes: number;
  /** A trailing '\r' not yet hashed: it is part of the line only if more bytes follow. */
  pendingCr: boolean;
}

export async function stageLinesExactly(db: Database, path: string, compression: Compression): Promise<number> {
  await db.run(loadQuery('ingest/create-staged-lines.sql'));
  let lineNo = 0;
  let parts: Buffer[] = [];
  let size = 0;
  let long: LongLine | null = null;
  let batch: StagedRow[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    await db.appendToTemp('staged_lines', batch);
    batch = [];
  };
  const push = async (row: StagedRow) => {
    batch.push(row);
    if (batch.length >= BATCH_ROWS) await flush();
  };
  const feedLong = (line: LongLine, piece: Buffer) => {
    if (piece.length === 0) return;
    if (line.pendingCr) line.hash.update(Buffer.of(CR));
    const ends = piece[piece.length - 1] === CR;
    const body = ends ? piece.subarray(0, -1) : piece;
    line.hash.update(body);
    line.bytes += (line.pendingCr ? 1 : 0) + body.length;
    line.pendingCr = ends;
  };
  /** Adds bytes of the current line; past MAX_LINE_BYTES (plus room for a '\r') it only hashes them. */
  const add = (piece: Buffer) => {
    if (long) return feedLong(long, piece);
    parts.push(piece);
    size += piece.length;
    if (size <= MAX_LINE_BYTES + 1) return;
    const whole = Buffer.concat(parts);
    long = { prefix: Buffer.from(whole.subarray(0, KEPT_PREFIX_BYTES)), hash: createHash('sha256'), bytes: 0, pendingCr: false };
    feedLong(long, whole);
    parts = [];
    size = 0;
  };
  const endLine = async () => {
    lineNo++;
    if (long) {
      // The reason says the line is too long; the kept prefix is only shown, so decode it leniently.
      await push([lineNo, 0, null, lenientUtf8.decode(long.prefix), false, long.bytes, long.hash.digest('hex'), null, 0]);
      long = null;
      return;
    }
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts = [];
    size = 0;
    const body = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.subarray(0, -1) : bytes;
    let text: string;
    let bad = false;
    try {
      text = strictUtf8.decode(body);
    } catch {
      text = lenientUtf8.decode(body);
      bad = true;
    }
    await push([lineNo, 0, null, text, bad, body.length, null, null, 0]);
  };

  let pending = false;
  for await (const data of openContent(path, compression)) {
    const chunk = data as Buffer;
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      add(chunk.subarray(start, i));
      await endLine();
      pending = false;
      start = i + 1;
    }
    if (start < chunk.length) {
      // Copied: the stream may reuse its buffer for the next chunk.
      add(Buffer.from(chunk.subarray(start)));
      pending = true;
    }
  }
  if (pending) await endLine();
  await flush();
  return lineNo;
}
