/**
 * What the writers of files that must survive a kill share: the database file
 * (src/db) and the run folders (src/report) are both made under temporary names
 * tagged with the writer's pid, and both make their renames durable.
 */
import { open } from 'node:fs/promises';
import { errorCode } from './errors.js';

/** Whether the process that named a temporary file is alive, so that its file is not a dead writer's leftover. */
export function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

/** Makes the entries of a directory (new files, links, renames) durable, not only their contents. */
export async function syncDirectory(path: string): Promise<void> {
  // Windows cannot open a directory for fsync; its renames are durable once they return.
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
