import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach } from 'vitest';
import { Database } from '../src/db/database.js';
import { discoverLogFiles } from '../src/ingest/discover.js';
import { ingestFiles, type IngestSummary } from '../src/ingest/ingester.js';
import { identityMapping, type ColumnMapping } from '../src/ingest/mapping.js';
import type { Io } from '../src/io.js';

export const FIXED_NOW = new Date('2020-04-05T00:00:00.000Z');

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

/** A fresh folder removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'routeaudit-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function memoryDb(): Promise<Database> {
  const db = await Database.open(':memory:');
  cleanups.push(() => db.close());
  return db;
}

export function writeFile(dir: string, name: string, content: string | Buffer, compress?: 'gzip'): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  writeFileSync(path, compress === 'gzip' ? gzipSync(bytes) : bytes);
  return path;
}

/** JSON Lines text from records, one per line, ending in a newline. */
export function jsonl(records: readonly unknown[]): string {
  return records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)) + '\n').join('');
}

export async function ingestPaths(db: Database, paths: string[], cwd: string, mapping: ColumnMapping = identityMapping()): Promise<IngestSummary> {
  const { files } = discoverLogFiles(paths, 'auto', cwd);
  return ingestFiles(db, files, { mapping, now: () => FIXED_NOW });
}

/** An Io that records output, with a fixed clock. */
export function recordingIo(cwd: string, now: Date = FIXED_NOW): Io & { out: string[]; err: string[]; bytes: Uint8Array[] } {
  const out: string[] = [];
  const err: string[] = [];
  const bytes: Uint8Array[] = [];
  return {
    out,
    err,
    bytes,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    stdoutBytes: (b) => bytes.push(b),
    stderrIsTTY: false,
    self: 'routeaudit',
    color: false,
    now: () => now,
    cwd,
  };
}

export function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ts: '2020-04-01T08:00:00Z', session_id: 's1', dc_id: 'us-sjc1', outcome: 'connected', ...overrides };
}
