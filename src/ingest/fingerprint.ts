/**
 * One streaming pass over a log file's decompressed bytes: its identity
 * (SHA-256 of the content, so a renamed or re-compressed copy is recognised),
 * its line structure (to cross-check what DuckDB read), and the hash of given
 * prefixes (to recognise a file that grew since it was last ingested).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, pipeline, type Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import type { Compression } from './discover.js';
import { ZstdWindowCheck, expansionCounter, expansionGuard } from './limits.js';

export const HEAD_BYTES = 4096;

export interface Fingerprint {
  sha256: string;
  bytes: number;
  headSha256: string;
  /** '\n' characters in the content. */
  newlines: number;
  /** '\r\n' pairs: DuckDB's line reader drops their '\r'. */
  crlfs: number;
  endsWithNewline: boolean;
  /** Lines as an editor counts them: newlines, plus one for a last line without one. */
  lines: number;
  /** SHA-256 of the first N bytes, for each requested N the content reached. */
  prefixSha256: Map<number, string>;
}

/**
 * The decompressed byte stream of a file. A compressed file that expands past
 * its limit (limits.ts: a likely decompression bomb) fails the stream with a
 * DecompressionLimitError as soon as it does, having cost bounded time and memory.
 */
export function openContent(path: string, compression: Compression): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (compression === 'none') return raw;
  // 1 MiB output chunks: with zlib's default 16 KiB, per-chunk overhead triples the CPU time.
  const decompressor = compression === 'gzip' ? zlib.createGunzip({ chunkSize: 1 << 20 }) : createZstdStream();
  // zlib counts the compressed bytes its engine has consumed (our fzstd stream does likewise).
  const consumed = () => (decompressor as Transform & { bytesWritten?: number }).bytesWritten ?? 0;
  // pipeline destroys every stage when one fails or the reader stops early (readHead).
  return pipeline(raw, decompressor, expansionGuard(consumed), () => undefined);
}

/** Node's own zstd where it has one (22.15+), else the pure-JS fzstd (which must be kept from huge windows and outputs). */
function createZstdStream(): Transform {
  const native = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  if (native) return native();
  let decoder: ZstdDecompress;
  const frames = new ZstdWindowCheck();
  // fzstd decodes all it is given at once, before the stream's guard sees any output: it gets
  // slices of 64 KiB, and its output is counted as it comes, against the input given so far.
  const slice = 1 << 16;
  const stream: Transform & { bytesWritten: number } = Object.assign(
    new Transform({
      construct(callback) {
        const count = expansionCounter(() => stream.bytesWritten);
        decoder = new ZstdDecompress((chunk) => {
          count(chunk.length);
          this.push(Buffer.from(chunk));
        });
        callback();
      },
      transform(chunk: Buffer, _encoding, callback) {
        try {
          frames.feed(chunk);
          for (let offset = 0; offset < chunk.length; offset += slice) {
            const piece = chunk.subarray(offset, offset + slice);
            stream.bytesWritten += piece.length;
            decoder.push(piece);
          }
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
      flush(callback) {
        try {
          decoder.push(new Uint8Array(0), true);
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
    }),
    { bytesWritten: 0 },
  );
  return stream;
}

/** Reads up to HEAD_BYTES of decompressed content (cheap: stops early). */
export async function readHead(path: string, compression: Compression): Promise<Buffer> {
  const stream = openContent(path, compression);
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      parts.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= HEAD_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, HEAD_BYTES);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function fingerprint(path: string, compression: Compression, prefixLengths: readonly number[] = []): Promise<Fingerprint> {
  const printer = new ContentPrinter(prefixLengths);
  for await (const data of openContent(path, compression)) printer.update(data as Buffer);
  return printer.finish();
}

/** The fingerprint of a whole content already in memory (a small file read at once). */
export function fingerprintBytes(content: Buffer): Fingerprint {
  const printer = new ContentPrinter([]);
  printer.update(content);
  return printer.finish();
}

/** A fingerprint computed over the content's chunks, in order. */
class ContentPrinter {
  private readonly hash = createHash('sha256');
  private readonly pending: number[];
  private readonly prefixSha256 = new Map<number, string>();
  private readonly head: Buffer[] = [];
  private headSize = 0;
  private bytes = 0;
  private newlines = 0;
  private crlfs = 0;
  private previousByte = -1;

  constructor(prefixLengths: readonly number[]) {
    this.pending = [...new Set(prefixLengths)].filter((n) => n > 0).sort((a, b) => a - b);
  }

  update(chunk: Buffer): void {
    if (this.headSize < HEAD_BYTES) {
      const take = chunk.subarray(0, HEAD_BYTES - this.headSize);
      this.head.push(take);
      this.headSize += take.length;
    }
    let offset = 0;
    while (this.pending.length > 0 && this.pending[0]! <= this.bytes + chunk.length) {
      const cut = this.pending.shift()! - this.bytes;
      this.hash.update(chunk.subarray(offset, cut));
      offset = cut;
      this.prefixSha256.set(this.bytes + cut, this.hash.copy().digest('hex'));
    }
    this.hash.update(chunk.subarray(offset));
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
      this.newlines++;
      const before = i > 0 ? chunk[i - 1] : this.previousByte;
      if (before === 13) this.crlfs++;
    }
    if (chunk.length > 0) this.previousByte = chunk[chunk.length - 1]!;
    this.bytes += chunk.length;
  }

  finish(): Fingerprint {
    const endsWithNewline = this.previousByte === 10;
    return {
      sha256: this.hash.digest('hex'),
      bytes: this.bytes,
      headSha256: sha256Hex(Buffer.concat(this.head)),
      newlines: this.newlines,
      crlfs: this.crlfs,
      endsWithNewline,
      lines: this.newlines + (this.bytes > 0 && !endsWithNewline ? 1 : 0),
      prefixSha256: this.prefixSha256,
    };
  }
}
