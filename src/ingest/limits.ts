/**
 * The caps that bound what one hostile log file can cost (docs/reliability.md):
 *  - a line longer than MAX_LINE_BYTES is a reject, never held whole (lines.ts, records.sql);
 *  - a compressed file may expand MAX_EXPANSION_RATIO times the compressed bytes the
 *    decoder has consumed so far (and to EXPANSION_FLOOR_BYTES in any case); beyond that it
 *    is refused as a likely decompression bomb. Checked as output is produced, so a bomb is
 *    stopped within a few MiB of output however large it would grow;
 *  - a zstd frame may not ask for a window over MAX_ZSTD_WINDOW_BYTES, libzstd's own default
 *    limit: the pure-JS decoder would allocate and shift a window of any size a header claims.
 */
import { Transform } from 'node:stream';
import { thousands } from '../numbers.js';

/** The longest line accepted as a record, in bytes without its line end. */
export const MAX_LINE_BYTES = 1 << 20;
/** gzip cannot exceed ~1032:1; real logs compress 5-40:1 (zstd -19 on very regular logs). */
export const MAX_EXPANSION_RATIO = 200;
export const EXPANSION_FLOOR_BYTES = 1 << 20;
export const MAX_ZSTD_WINDOW_BYTES = 1 << 27;

/** A compressed file refused before it could cost unbounded time or memory. */
export class DecompressionLimitError extends Error {
  override name = 'DecompressionLimitError';
}

/**
 * Counts decompressed bytes; throws DecompressionLimitError once they exceed both
 * EXPANSION_FLOOR_BYTES and MAX_EXPANSION_RATIO times `consumed()`, the compressed
 * bytes the decoder has taken in so far.
 */
export function expansionCounter(consumed: () => number): (bytes: number) => void {
  let produced = 0;
  return (bytes) => {
    produced += bytes;
    const input = consumed();
    if (produced > EXPANSION_FLOOR_BYTES && produced > MAX_EXPANSION_RATIO * input) {
      throw new DecompressionLimitError(
        `decompresses to over ${MAX_EXPANSION_RATIO} times its compressed size (${thousands(input)} compressed bytes ` +
          `gave ${thousands(produced)}): refused as a likely decompression bomb; if it is genuine, decompress it and ingest the plain file`,
      );
    }
  };
}

/** Passes decompressed chunks through, failing the stream when the expansion is over the limit (see expansionCounter). */
export function expansionGuard(consumed: () => number): Transform {
  const count = expansionCounter(consumed);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        count(chunk.length);
        callback(null, chunk);
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

type ZstdState = 'magic' | 'skippable-size' | 'descriptor' | 'frame-header' | 'block-header' | 'off';

/**
 * Follows the frame and block headers of a zstd stream (RFC 8878) as compressed
 * bytes go by, skipping block contents without keeping them, and throws when a
 * frame's window is over MAX_ZSTD_WINDOW_BYTES. Anything it does not recognise
 * is left to the decoder to refuse.
 */
export class ZstdWindowCheck {
  private state: ZstdState = 'magic';
  private need = 4;
  private header: number[] = [];
  private skip = 0;
  private descriptor = 0;

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && this.state !== 'off') {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.header.push(chunk[i++]!);
      if (this.header.length === this.need) {
        const bytes = this.header;
        this.header = [];
        this.step(bytes);
      }
    }
  }

  private expect(state: ZstdState, need: number): void {
    this.state = state;
    this.need = need;
  }

  private step(bytes: number[]): void {
    switch (this.state) {
      case 'magic': {
        const magic = littleEndian(bytes);
        if (magic === 0xfd2fb528) this.expect('descriptor', 1);
        else if (magic >= 0x184d2a50 && magic <= 0x184d2a5f) this.expect('skippable-size', 4);
        else this.state = 'off';
        return;
      }
      case 'skippable-size':
        this.skip = littleEndian(bytes);
        this.expect('magic', 4);
        return;
      case 'descriptor': {
        const d = bytes[0]!;
        this.descriptor = d;
        const singleSegment = (d >> 5) & 1;
        const fcsFlag = d >> 6;
        const rest = (singleSegment ? 0 : 1) + [0, 1, 2, 4][d & 3]! + (fcsFlag === 0 ? singleSegment : 1 << fcsFlag);
        this.expect('frame-header', rest);
        return;
      }
      case 'frame-header': {
        const d = this.descriptor;
        const singleSegment = (d >> 5) & 1;
        let window: number;
        if (singleSegment) {
          const fcsFlag = d >> 6;
          const fcsBytes = fcsFlag === 0 ? 1 : 1 << fcsFlag;
          window = littleEndian(bytes.slice(bytes.length - fcsBytes)) + (fcsFlag === 1 ? 256 : 0);
        } else {
          const exponent = 10 + (bytes[0]! >> 3);
          const base = 2 ** exponent;
          window = base + (base / 8) * (bytes[0]! & 7);
        }
        if (window > MAX_ZSTD_WINDOW_BYTES) {
          throw new DecompressionLimitError(
            `a zstd frame needs a ${thousands(window)}-byte window, over the ${thousands(MAX_ZSTD_WINDOW_BYTES)}-byte limit ` +
              '(zstd --long=31 output?): decompress it (zstd -d --long=31) and ingest the plain file',
          );
        }
        this.expect('block-header', 3);
        return;
      }
      case 'block-header': {
        const h = littleEndian(bytes);
        const last = h & 1;
        const type = (h >> 1) & 3;
        if (type === 3) {
          this.state = 'off';
          return;
        }
        this.skip = type === 1 ? 1 : h >>> 3;
        if (last) {
          // The optional content checksum follows the last block.
          if ((this.descriptor >> 2) & 1) this.skip += 4;
          this.expect('magic', 4);
        } else this.expect('block-header', 3);
        return;
      }
      case 'off':
        return;
    }
  }
}

/** Unsigned little-endian integer of up to 8 bytes, as a number (approximate beyond 2^53, which only ever means "too big"). */
function littleEndian(bytes: readonly number[]): number {
  let value = 0;
  for (let i = bytes.length - 1; i >= 0; i--) value = value * 256 + bytes[i]!;
  return value;
}
