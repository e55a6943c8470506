/**
 * Shared helpers of the source tests: fixtures from test/fixtures/sources/ (README.md there says
 * where each comes from), ingest with --source and --timezone as the CLI passes them, and the
 * stored rows in a form that reads the same in every machine time zone (ts as ISO-8601 UTC text).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { discoverLogFiles } from '../../../src/ingest/discover.js';
import { ingestFiles, type FileResult, type IngestSummary } from '../../../src/ingest/ingester.js';
import { identityMapping } from '../../../src/ingest/mapping.js';
import { resolveSourceChoice } from '../../../src/ingest/sources/catalog.js';
import { FIXED_NOW, writeFile } from '../../helpers.js';
import { expectRegistryMatchesTables } from '../support.js';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/sources');

/** A fixture's text, exactly as stored. */
export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** Copies a fixture into `dir` (under another name when given, e.g. one that holds a meeting id); returns its path. */
export function copyFixture(dir: string, name: string, as: string = name): string {
  const path = join(dir, as);
  copyFileSync(join(FIXTURES, name), path);
  return path;
}

/** Writes `text` into `dir/name`; returns its path. */
export function writeText(dir: string, name: string, text: string): string {
  return writeFile(dir, name, text);
}

export interface SourceRunOptions {
  /** --source: a built-in name or a definition file (relative to `cwd`); absent: recognised per file. */
  source?: string;
  /** --timezone */
  timezone?: string;
}

/** `routeaudit ingest PATHS [--source S] [--timezone Z]` as src/commands/ingest.ts runs it, with a fixed clock. */
export async function ingestSources(db: Database, paths: string[], cwd: string, options: SourceRunOptions = {}): Promise<IngestSummary> {
  const { files } = discoverLogFiles(paths, 'auto', cwd);
  return ingestFiles(db, files, {
    mapping: identityMapping(),
    source: resolveSourceChoice(options.source, cwd),
    timezone: options.timezone ?? null,
    now: () => FIXED_NOW,
  });
}

/** The result of one file of a run, by the end of its path. */
export function resultFor(summary: IngestSummary, name: string): FileResult {
  const found = summary.files.filter((f) => f.path === name || f.path.endsWith(`/${name}`));
  expect(found.map((f) => f.path), `one result for ${name}`).toHaveLength(1);
  return found[0]!;
}

/** Status and counts of a file's result, for a compact exact comparison. */
export function countsOf(result: FileResult): { source: string; status: string; read: number; loaded: number; duplicates: number; rejected: number } {
  return { source: result.source, status: result.status, read: result.linesRead, loaded: result.loaded, duplicates: result.duplicates, rejected: result.rejected };
}

export interface StoredAttempt {
  ts: string;
  session_id: string;
  dc_id: string;
  dc_ip: string | null;
  outcome: string;
  client_ip: string | null;
  meeting_id: string | null;
  user_id: string | null;
  line_no: number;
  part: number;
}

/** The stored attempts of one file (by the end of its path), ts as ISO-8601 UTC with microseconds, in line and part order. */
export async function storedAttempts(db: Database, name: string): Promise<StoredAttempt[]> {
  return (await db.all(
    `SELECT strftime(c.ts AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS ts, c.session_id, c.dc_id, c.dc_ip, c.outcome, c.client_ip,
       c.meeting_id, c.user_id, c.line_no, c.part
     FROM connections c JOIN ingested_files f USING (file_id)
     WHERE f.path = $name OR f.path LIKE '%/' || $name
     ORDER BY c.line_no, c.part`,
    { name },
  )) as unknown as StoredAttempt[];
}

/** The rejects of one file: line, part and reason, in line and part order. */
export async function storedRejects(db: Database, name: string): Promise<{ line: number; part: number; reason: string }[]> {
  return (await db.all(
    `SELECT r.line_no AS line, r.part, r.reason FROM rejects r JOIN ingested_files f USING (file_id)
     WHERE f.path = $name OR f.path LIKE '%/' || $name
     ORDER BY r.line_no, r.part`,
    { name },
  )) as unknown as { line: number; part: number; reason: string }[];
}

/** What one attempt of a source record stores: the fields the tests read, with the absent ones null. */
export function attempt(fields: Partial<StoredAttempt> & Pick<StoredAttempt, 'ts' | 'session_id' | 'dc_id' | 'outcome' | 'line_no'>): StoredAttempt {
  return { dc_ip: null, client_ip: null, meeting_id: null, user_id: null, part: 0, ...fields };
}

/** The ingest invariant (test/ingest/support.ts), keyed by (file, line, part) as every ingest test is. */
export const expectCountsAddUp = expectRegistryMatchesTables;

/** The registry entries: path, source and counts, in file order. */
export async function registry(db: Database): Promise<{ path: string; source: string; lines_read: number; loaded: number; duplicates: number; rejected: number }[]> {
  return (await db.all(
    `SELECT path, source, lines_read, loaded, duplicates, rejected FROM ingested_files ORDER BY file_id`,
  )) as unknown as { path: string; source: string; lines_read: number; loaded: number; duplicates: number; rejected: number }[];
}
