/**
 * The exact line reader: splits the decompressed bytes on '\n' in JavaScript and
 * appends them to staged_lines. Slower than DuckDB's reader, so it only runs
 * when that one disagrees with the file's own counts (e.g. invalid UTF-8, or a
 * line containing the reader's delimiter). A '\r' before '\n' is dropped, as
 * DuckDB's reader does; a line that is not valid UTF-8 is kept with its bytes
 * decoded leniently and flagged, so it becomes a reject rather than vanishing.
 */
import type { Database } from '../db/database.js';
import { loadQuery } from '../queries.js';
import type { Compression } from './discover.js';
import { openContent } from './fingerprint.js';

const BATCH_ROWS = 5000;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

export async function stageLinesExactly(db: Database, path: string, compression: Compression): Promise<number> {
  await db.run(loadQuery('ingest/create-staged-lines.sql'));
  let lineNo = 0;
  let carry: Buffer = Buffer.alloc(0);
  let batch: (string | number | boolean)[][] = [];

  const emit = async (bytes: Buffer) => {
    lineNo++;
    const body = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.subarray(0, -1) : bytes;
    let text: string;
    let bad = false;
    try {
      text = strictUtf8.decode(body);
    } catch {
      text = lenientUtf8.decode(body);
      bad = true;
    }
    batch.push([lineNo, text, bad, body.length]);
    if (batch.length >= BATCH_ROWS) await flush();
  };
  const flush = async () => {
    if (batch.length === 0) return;
    await db.appendToTemp('staged_lines', batch);
    batch = [];
  };

  for await (const data of openContent(path, compression)) {
    let chunk = data as Buffer;
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, i);
      await emit(carry.length > 0 ? Buffer.concat([carry, piece]) : piece);
      carry = Buffer.alloc(0);
      start = i + 1;
    }
    chunk = chunk.subarray(start);
    if (chunk.length > 0) carry = carry.length > 0 ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
  }
  if (carry.length > 0) await emit(carry);
  await flush();
  return lineNo;
}
