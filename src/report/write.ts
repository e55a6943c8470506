/**
 * The run folder `<outDir>/<runId>/` and the `<outDir>/latest` pointer
 * (docs/report-format.md). A killed run never leaves a half report under a
 * run's name: files are written and fsynced in a dot-prefixed temp folder,
 * which is renamed into place only when complete. Everything temporary is
 * named `.tmp-…-<pid>`, so that a later run can tell a dead writer's leftovers
 * from a live one's and `listRunFolders` never mistakes them for runs.
 */
import { mkdir, open, readdir, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditReport } from '../detect/model.js';
import { isRunning, syncDirectory } from '../durable.js';
import { UserError, errorCode } from '../errors.js';
import type { RunReject } from '../ingest/run-inputs.js';
import { affectedSessionsCsvChunks, rejectsCsvChunks, renderInputProblemsCsv } from './csv.js';
import { renderHtml } from './html.js';
import { findingsJsonChunks } from './json.js';
import { renderMarkdown } from './markdown.js';
import { ocsfChunks } from './ocsf.js';

type Chunks = Iterable<string> | AsyncIterable<string>;

// The files with a row per finding are written as they are rendered; the others are a page or two.
const RUN_FILES: [name: string, render: (report: AuditReport) => Chunks][] = [
  ['summary.md', (report) => [renderMarkdown(report)]],
  ['findings.json', findingsJsonChunks],
  ['affected-sessions.csv', affectedSessionsCsvChunks],
  ['input-problems.csv', (report) => [renderInputProblemsCsv(report)]],
  ['report.html', (report) => [renderHtml(report)]],
  ['findings.ocsf.json', ocsfChunks],
];

/** Rendered pieces are gathered up to this many characters per write. */
const WRITE_CHUNK = 1 << 20;

const TEMP_PREFIX = '.tmp-';
const LATEST = 'latest';

/**
 * Writes the report files and rejects.csv (the rejected lines of the files the run read, which
 * may come page by page from the database) to `<outDir>/<runId>/`, replacing an earlier run of
 * the same id, and points `latest` at it.
 */
export async function writeRunFolder(
  outDir: string,
  report: AuditReport,
  rejects: Iterable<RunReject> | AsyncIterable<RunReject> = [],
): Promise<string> {
  const runId = report.run.runId;
  assertSafeRunId(runId);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    if (hasCode(error, 'EEXIST', 'ENOTDIR')) throw new UserError(`cannot write reports into ${outDir}: it is not a folder`);
    if (hasCode(error, 'EACCES', 'EPERM', 'EROFS')) throw new UserError(`cannot write reports into ${outDir}: permission denied; choose another --out`);
    throw error;
  }
  await removeLeftoversOfDeadWriters(outDir);

  const temp = join(outDir, `${TEMP_PREFIX}${runId}-${process.pid}`);
  await rm(temp, { recursive: true, force: true });
  try {
    await mkdir(temp);
  } catch (error) {
    if (hasCode(error, 'EACCES', 'EPERM', 'EROFS')) throw new UserError(`cannot write reports into ${outDir}: permission denied; choose another --out`);
    throw error;
  }
  try {
    for (const [name, render] of RUN_FILES) await writeDurably(join(temp, name), render(report));
    await writeDurably(join(temp, 'rejects.csv'), rejectsCsvChunks(rejects));
    await syncDirectory(temp);
  } catch (error) {
    // A full disk, or a renderer or the rejects' query failing: leave nothing behind, and report the error.
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }

  const final = join(outDir, runId);
  await moveIntoPlace(temp, final, join(outDir, `${TEMP_PREFIX}replaced-${runId}-${process.pid}`));
  await pointLatestAt(outDir, runId);
  await syncDirectory(outDir);
  return final;
}

/** Names of the complete run folders in `outDir`, sorted; temp folders and the `latest` link are not runs. */
export async function listRunFolders(outDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(outDir, { withFileTypes: true });
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

/** A run id becomes a folder name: one visible path segment, nothing a shell or another OS would read differently. */
function isSafeRunId(runId: string): boolean {
  return /^[A-Za-z0-9._-]+$/.test(runId) && !runId.startsWith('.') && runId !== LATEST;
}

function assertSafeRunId(runId: string): void {
  if (!isSafeRunId(runId)) {
    throw new UserError(
      `run id "${runId}" cannot name a run folder: use letters, digits, '.', '_' and '-' only, not starting with '.', and not "${LATEST}"`,
    );
  }
}

/**
 * Removes what killed writers left. A writer killed while replacing a run of the
 * same id, between moving the old folder aside and the new one in, left the old
 * folder as `.tmp-replaced-<runId>-<pid>` and no `<runId>`: it is put back.
 */
async function removeLeftoversOfDeadWriters(outDir: string): Promise<void> {
  const names = await readdir(outDir);
  for (const name of names) {
    const replaced = /^\.tmp-replaced-(.+)-(\d+)$/.exec(name);
    if (!replaced || isRunning(Number(replaced[2])) || !isSafeRunId(replaced[1]!) || names.includes(replaced[1]!)) continue;
    await rename(join(outDir, name), join(outDir, replaced[1]!));
  }
  for (const name of await readdir(outDir)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const pid = Number(/-(\d+)$/.exec(name)?.[1]);
    if (!isRunning(pid)) await rm(join(outDir, name), { recursive: true, force: true });
  }
}

async function writeDurably(path: string, chunks: Chunks): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    let pending: string[] = [];
    let pendingLength = 0;
    for await (const chunk of chunks) {
      pending.push(chunk);
      pendingLength += chunk.length;
      if (pendingLength < WRITE_CHUNK) continue;
      // writeFile on a handle writes all of it from the current position, looping over short writes.
      await handle.writeFile(pending.join(''), 'utf8');
      pending = [];
      pendingLength = 0;
    }
    await handle.writeFile(pending.join(''), 'utf8');
    await handle.sync();
  } catch (error) {
    // The write error is the one worth reporting; a failing close must not replace it.
    await handle.close().catch(() => undefined);
    throw error;
  }
  await handle.close();
}

async function moveIntoPlace(temp: string, final: string, aside: string): Promise<void> {
  try {
    await rename(temp, final);
    return;
  } catch (error) {
    if (hasCode(error, 'ENOTDIR')) {
      // rename(2) never follows a symbolic link: nothing is written through one.
      await rm(temp, { recursive: true, force: true });
      throw new UserError(`${final} is not a run folder (a file or a symbolic link): move it away and run again`);
    }
    if (!hasCode(error, 'ENOTEMPTY', 'EEXIST')) throw error;
  }
  // A re-run of the same window: the old folder steps aside, the new one takes its name, then the old one goes.
  await rename(final, aside);
  try {
    await rename(temp, final);
  } catch (error) {
    await rename(aside, final);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}

/** rename(2) replaces `latest` in one step, so a reader sees the old target or the new one, never no link. */
async function pointLatestAt(outDir: string, runId: string): Promise<void> {
  const link = join(outDir, `${TEMP_PREFIX}${LATEST}-${process.pid}`);
  await rm(link, { force: true });
  await symlink(runId, link);
  try {
    await rename(link, join(outDir, LATEST));
  } catch (error) {
    await rm(link, { force: true });
    if (hasCode(error, 'EISDIR', 'ENOTEMPTY', 'EEXIST')) {
      throw new UserError(`${join(outDir, LATEST)} is a directory, not the link routeaudit maintains: move it away and run again`);
    }
    throw error;
  }
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes(errorCode(error) ?? '');
}
