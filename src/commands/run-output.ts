import { exitCodeFor, type FailOn } from '../detect/verdict.js';
import type { ExitCode } from '../errors.js';
import { displayPath } from '../ingest/discover.js';
import type { Io } from '../io.js';
import type { PipelineResult } from '../pipeline.js';
import { formatTerminalSummary } from '../report/terminal.js';
import { formatIngestSummary, shellWord } from './ingest.js';

/** What `audit` and `nightly` print after a run, and the exit code (docs/nightly.md, Exit codes). */
export function reportRun(result: PipelineResult, failOn: FailOn, io: Io, database: string): ExitCode {
  const folder = result.runFolder === null ? null : displayPath(io.cwd, result.runFolder);
  if (result.ingest) {
    const hint =
      folder !== null
        ? `the rejected lines of this run are in ${folder}/rejects.csv`
        : database === ':memory:'
          ? 'the rejected lines were kept in memory only: run with --out DIR to get them in DIR/<run>/rejects.csv'
          : `see the rejected lines with: ${io.self} rejects --db ${shellWord(database)}`;
    io.stderr(formatIngestSummary(result.ingest, result.skipped, hint) + '\n');
  }
  io.stdout(formatTerminalSummary(result.report, folder));
  for (const problem of result.report.inputProblems) {
    // Where cron mails it: a gap in the input is not a quiet night.
    io.stderr(`warning: incomplete input: ${problem.file === null ? '' : `${problem.file}: `}${problem.reason}\n`);
  }
  return exitCodeFor(result.report, failOn);
}
