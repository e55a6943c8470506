/**
 * What a run's ingest means for its audit (docs/nightly.md): the files that failed
 * or loaded nothing because every line was rejected are input problems of the run,
 * and the rejected lines of the files it read go to rejects.csv in its run folder.
 * Files found already ingested count too, from their registry entry, so that a
 * re-run names the same problems as the first run.
 */
import { varcharList, type Database } from '../db/database.js';
import type { RowOf } from '../db/shape.js';
import type { InputProblem } from '../detect/model.js';
import { queryRows, streamQueryRows } from '../queries.js';
import type { IngestSummary } from './ingester.js';
import { RUN_FILE_ROW, RUN_REJECT_ROW } from './shapes.js';

export type RunReject = RowOf<typeof RUN_REJECT_ROW.columns>;

function fileIdsRead(summary: IngestSummary) {
  return varcharList(summary.files.flatMap((f) => (f.fileId === null ? [] : [String(f.fileId)])));
}

/** In the order the files were named: failed ones with their error, wholly rejected ones with their first reject. */
export async function inputProblemsOf(db: Database, summary: IngestSummary): Promise<InputProblem[]> {
  const entries = new Map(
    (await queryRows(db, RUN_FILE_ROW, 'ingest/run-files.sql', { file_ids: fileIdsRead(summary) })).map((e) => [e.file_id, e]),
  );
  return summary.files.flatMap((file): InputProblem[] => {
    if (file.status === 'failed') {
      return [{ kind: 'failed', file: file.path, reason: file.note ?? 'failed to load', linesRead: file.linesRead, rejected: file.rejected }];
    }
    const entry = file.fileId === null ? undefined : entries.get(file.fileId);
    if (entry === undefined) return [];
    const gap: InputProblem[] =
      entry.gap_records === 0
        ? []
        : [
            {
              kind: 'source-gap',
              file: file.path,
              reason: `the source says records are missing: ${entry.gap_records} record${entry.gap_records === 1 ? '' : 's'} like line ${entry.first_gap_line}: ${entry.first_gap_reason}`,
              linesRead: entry.lines_read,
              rejected: entry.rejected,
            },
          ];
    if (entry.lines_read === 0 || entry.rejected !== entry.lines_read) return gap;
    const lines = entry.lines_read;
    return [
      ...gap,
      {
        kind: 'all-rejected',
        file: file.path,
        reason: `every line was rejected (${lines} line${lines === 1 ? '' : 's'}); the first, line ${entry.first_reject_line}: ${entry.first_reject_reason}`,
        linesRead: lines,
        rejected: entry.rejected,
      },
    ];
  });
}

/** Read as they are written to rejects.csv: a run over many bad lines never holds them all. */
export function rejectsOfRun(db: Database, summary: IngestSummary): AsyncGenerator<RunReject> {
  return streamQueryRows(db, RUN_REJECT_ROW, 'ingest/run-rejects.sql', { file_ids: fileIdsRead(summary) });
}
