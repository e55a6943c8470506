/**
 * Content hashes by file identity on disk, like git's index: a file whose path,
 * device, inode, size, mtime and ctime are what they were when it was hashed
 * has the content it had then, so re-ingesting an unchanged directory reads no
 * file. Identity stays the content hash: the cache only saves recomputing it.
 *
 * ctime cannot be set from user space, so a rewrite that restores the mtime
 * (cp -p, touch -r) still changes the key. A file changed within one clock tick
 * of when it was hashed could keep its mtime ("racy git"), so an entry is only
 * written for a file whose last change is RACY_MS older than the hashing.
 */
import { statSync } from 'node:fs';
import { varcharList, type Database } from '../db/database.js';
import { loadQuery } from '../queries.js';

const RACY_MS = 2000;

export interface FileStat {
  /** device:inode:size:mtime_ns:ctime_ns */
  key: string;
  /** When the stat was taken (before hashing). */
  takenMs: number;
  /** The later of mtime and ctime, in ms. */
  changedMs: number;
  /** The size on disk. */
  bytes: number;
}

export function statOf(path: string): FileStat {
  const s = statSync(path, { bigint: true });
  return {
    key: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`,
    takenMs: Date.now(),
    changedMs: Number((s.mtimeNs > s.ctimeNs ? s.mtimeNs : s.ctimeNs) / 1_000_000n),
    bytes: Number(s.size),
  };
}

/** Records the content hash of each file as it was when its stat was taken; skipped for a file changed just before. */
export async function rememberContentHashes(
  db: Database,
  files: readonly { absolutePath: string; stat: FileStat; contentSha256: string }[],
): Promise<void> {
  const settled = files.filter((f) => f.stat.changedMs <= f.stat.takenMs - RACY_MS);
  if (settled.length === 0) return;
  await db.run(loadQuery('ingest/stat-cache-remember.sql'), {
    absolute_paths: varcharList(settled.map((f) => f.absolutePath)),
    stat_keys: varcharList(settled.map((f) => f.stat.key)),
    content_sha256s: varcharList(settled.map((f) => f.contentSha256)),
  });
}
