/** Helpers for the reliability suite: reading reports back, and their invariants. */
import { existsSync, readFileSync, readdirSync, readlinkSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export const RUN_FILES = ['affected-sessions.csv', 'findings.json', 'findings.ocsf.json', 'input-problems.csv', 'rejects.csv', 'report.html', 'summary.md'];

/** A strict RFC 4180 reader: every record ends in CRLF; a quote only opens a field or is doubled inside one. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
      if (text[i] !== ',' && text.slice(i, i + 2) !== '\r\n') throw new Error(`text after a closing quote at ${i}`);
      continue;
    }
    if (text[i] === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (text.slice(i, i + 2) === '\r\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (text[i] === '"' || text[i] === '\r' || text[i] === '\n') {
      throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`);
    } else field += text[i++];
  }
  if (field !== '' || record.length > 0) throw new Error('last record lacks its CRLF');
  return records;
}

/** What a script does to undo the documented spreadsheet neutralisation: drop one leading `'`. */
export function unneutralise(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

/** SHA-256 of each file of a run folder, by name. */
export function folderDigest(folder: string): Record<string, string> {
  const digest: Record<string, string> = {};
  for (const name of readdirSync(folder).sort()) digest[name] = createHash('sha256').update(readFileSync(join(folder, name))).digest('hex');
  return digest;
}

/**
 * A run folder is complete: exactly the seven files, the JSON ones parse, the
 * CSV is well formed and the HTML ends its document.
 */
export function expectCompleteRunFolder(folder: string): string | null {
  const names = readdirSync(folder).sort();
  if (JSON.stringify(names) !== JSON.stringify(RUN_FILES)) return `${folder}: files ${names.join(', ')}`;
  try {
    JSON.parse(readFileSync(join(folder, 'findings.json'), 'utf8'));
    JSON.parse(readFileSync(join(folder, 'findings.ocsf.json'), 'utf8'));
    parseCsv(readFileSync(join(folder, 'affected-sessions.csv'), 'utf8'));
  } catch (error) {
    return `${folder}: ${(error as Error).message}`;
  }
  if (!readFileSync(join(folder, 'report.html'), 'utf8').trimEnd().endsWith('</html>')) return `${folder}: report.html is cut short`;
  return null;
}

/** Where `<out>/latest` points, or null when it is missing; throws when it is not a symbolic link. */
export function latestTarget(out: string): string | null {
  const link = join(out, 'latest');
  if (!existsSync(link) && !isSymlink(link)) return null;
  if (!isSymlink(link)) throw new Error(`${link} is not a symbolic link`);
  return readlinkSync(link);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Every tag of an HTML document, sorted: the markup that no value may add to or change. */
export function tagMultiset(html: string): string[] {
  return (html.match(/<[^>]*>/g) ?? []).sort();
}

/**
 * The fast tests of test/reliability/ also run in the default suite, with smaller
 * figures; `npm run test:reliability` (vitest.reliability.config.ts) sets this to
 * run them in full.
 */
export const FULL = process.env.ROUTEAUDIT_RELIABILITY === 'full';

/** A deterministic stream of arbitrary bytes (newlines and invalid UTF-8 included). */
export function arbitraryBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/**
 * A zstd frame of `blocks` RLE blocks of 128 KiB of `byte` each: 4 bytes per block,
 * so 1 MB of file holds 32 GB (a zstd decompression bomb).
 */
export function zstdRleBomb(blocks: number, byte: number): Buffer {
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (17 - 10) << 3]);
  const body = Buffer.alloc(blocks * 4);
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    const h = last | (1 << 1) | ((128 * 1024) << 3);
    body.writeUIntLE(h, i * 4, 3);
    body[i * 4 + 3] = byte;
  }
  return Buffer.concat([header, body]);
}

/** A zstd frame header that claims a 1.9 GB window (then one tiny raw block): the pure-JS decoder would allocate and shift it all. */
export function zstdHugeWindow(): Buffer {
  const content = Buffer.from('{"a":1}\n');
  const block = Buffer.alloc(3);
  block.writeUIntLE(1 | (0 << 1) | (content.length << 3), 0, 3);
  return Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa7]), block, content]);
}
