/**
 * What a run's ingest means for its audit (docs/nightly.md): the files that failed
 * or loaded nothing because every line was rejected are input problems of the run,
 * and the rejected lines of the files it read go to rejects.csv in its run folder.
 * Files found already ingested count too, from their registry entry, so that a
 * re-run names the same problems as the first run.
 */
import { varcharList, type Database } from '../db/database.js';
import type { InputProblem } from '../detect/model.js';
import { loadQuery } from '../queries.js';
import type { IngestSummary } from './ingester.js';

export interface RunReject {
  path: string;
  line_no: number;
  reason: string;
  raw_bytes: number;
  raw: string | null;
  [key: string]: string | number | null;
}

interface RunFile {
  file_id: number;
  path: string;
  lines_read: number;
  loaded: number;
  rejected: number;
  first_reject_line: number | null;
  first_reject_reason: string | null;
  [key: string]: string | number | null;
}

function fileIdsRead(summary: IngestSummary) {
  return varcharList(summary.files.flatMap((f) => (f.fileId === null ? [] : [String(f.fileId)])));
}

/** In the order the files were named: failed ones with their error, wholly rejected ones with their first reject. */
export async function inputProblemsOf(db: Database, summary: IngestSummary): Promise<InputProblem[]> {
  const entries = new Map(
    (await db.all<RunFile>(loadQuery('ingest/run-files.sql'), { file_ids: fileIdsRead(summary) })).map((e) => [Number(e.file_id), e]),
  );
  return summary.files.flatMap((file): InputProblem[] => {
    if (file.status === 'failed') {
      return [{ kind: 'failed', file: file.path, reason: file.note ?? 'failed to load', linesRead: file.linesRead, rejected: file.rejected }];
    }
    const entry = file.fileId === null ? undefined : entries.get(file.fileId);
    if (entry === undefined || Number(entry.lines_read) === 0 || Number(entry.rejected) !== Number(entry.lines_read)) return [];
    const lines = Number(entry.lines_read);
    return [
      {
        kind: 'all-rejected',
        file: file.path,
        reason: `every line was rejected (${lines} line${lines === 1 ? '' : 's'}); the first, line ${entry.first_reject_line}: ${entry.first_reject_reason}`,
        linesRead: lines,
        rejected: Number(entry.rejected),
      },
    ];
  });
}

export async function rejectsOfRun(db: Database, summary: IngestSummary): Promise<RunReject[]> {
  return db.all<RunReject>(loadQuery('ingest/run-rejects.sql'), { file_ids: fileIdsRead(summary) });
}
