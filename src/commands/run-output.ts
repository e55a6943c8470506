import { exitCodeFor, type FailOn } from '../detect/verdict.js';
import { parseTime } from '../detect/window.js';
import type { AuditWindow } from '../detect/audit.js';
import type { ExitCode } from '../errors.js';
import { displayPath, type FormatChoice } from '../ingest/discover.js';
import type { ColumnMapping } from '../ingest/mapping.js';
import type { Io } from '../io.js';
import { runPipeline, type PipelineOptions, type PipelineResult } from '../pipeline.js';
import { formatTerminalSummary } from '../report/terminal.js';
import { formatIngestSummary, shellWord } from './ingest.js';
import type { EngineChoice } from '../engine.js';
import { thousands } from '../numbers.js';

/** What `audit` and `nightly` both take (src/cli.ts declares these flags once, in runOptions). */
export interface RunOptions {
  policy: string;
  db: string;
  now?: string;
  failOn: FailOn;
  format: FormatChoice;
  mapping: ColumnMapping;
  source?: string;
  timezone?: string;
  memoryLimit?: string;
  /** --geo files ([] for the bundled database), or false for --no-geo. */
  geo: string[] | false;
  engine?: EngineChoice;
}

/** What differs between an audit and a nightly run. */
export interface RunKind {
  kind: PipelineOptions['kind'];
  logs: string[] | null;
  window: (now: Date) => AuditWindow;
  out: string | null;
  createDatabase: boolean;
}

/** Runs the pipeline with the clock of --now (else the system's), prints what a run prints, returns the exit code. */
export async function runAndReport(options: RunOptions, run: RunKind, io: Io): Promise<ExitCode> {
  const now = options.now === undefined ? io.now() : parseTime('--now', options.now);
  const result = await runPipeline(
    {
      kind: run.kind,
      policyFile: options.policy,
      db: options.db,
      logs: run.logs,
      window: run.window(now),
      now,
      out: run.out,
      format: options.format,
      mapping: options.mapping,
      source: options.source,
      timezone: options.timezone,
      memoryLimit: options.memoryLimit,
      geo: options.geo,
      createDatabase: run.createDatabase,
      engine: options.engine,
    },
    io,
  );
  return reportRun(result, options.failOn, io, options.db);
}

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
  if (result.clickhouse !== null) {
    const { sessions, candidateSessions, everySessionBecause } = result.clickhouse;
    const because = everySessionBecause === null ? '' : ` (all of them: ${everySessionBecause})`;
    io.stderr(`clickhouse: ${thousands(sessions)} sessions scanned in the cluster; ${thousands(candidateSessions)} came home with their attempts${because} (docs/clickhouse.md)\n`);
  }
  for (const problem of result.report.inputProblems) {
    // Where cron mails it: a gap in the input is not a quiet night.
    io.stderr(`warning: incomplete input: ${problem.file === null ? '' : `${problem.file}: `}${problem.reason}\n`);
  }
  return exitCodeFor(result.report, failOn);
}
