import { exitCodeFor, type FailOn } from '../detect/verdict.js';
import { nightlyWindow, parseTime } from '../detect/window.js';
import { ExitCode } from '../errors.js';
import type { FormatChoice } from '../ingest/discover.js';
import type { ColumnMapping } from '../ingest/mapping.js';
import type { Io } from '../io.js';
import { runPipeline } from '../pipeline.js';
import { formatTerminalSummary } from '../report/terminal.js';
import { displayPath } from '../ingest/discover.js';
import { formatIngestSummary } from './ingest.js';

export interface NightlyCommandOptions {
  logs: string;
  policy: string;
  db: string;
  out: string;
  window?: string;
  now?: string;
  failOn: FailOn;
  format: FormatChoice;
  mapping: ColumnMapping;
  memoryLimit?: string;
  /** --geo files ([] for the bundled database), or false for --no-geo. */
  geo: string[] | false;
}

/** Unattended: ingest what is new, audit the last complete UTC day, diff, write reports, exit with the code. */
export async function nightlyCommand(options: NightlyCommandOptions, io: Io): Promise<ExitCode> {
  const now = options.now === undefined ? io.now() : parseTime('--now', options.now);
  const result = await runPipeline(
    {
      policyFile: options.policy,
      db: options.db,
      logs: [options.logs],
      window: nightlyWindow(options.window, now),
      now,
      out: options.out,
      format: options.format,
      mapping: options.mapping,
      memoryLimit: options.memoryLimit,
      geo: options.geo,
      createDatabase: true,
    },
    io,
  );
  io.stderr(formatIngestSummary(result.ingest!, result.skipped) + '\n');
  io.stdout(formatTerminalSummary(result.report, result.runFolder === null ? null : displayPath(io.cwd, result.runFolder)));
  if (result.report.coverage.length === 0) {
    // A night without sessions is more likely a missed delivery than a quiet day: say so where cron mails it.
    io.stderr(`warning: no session started in ${result.report.run.since} .. ${result.report.run.until}; check that the day's logs reached ${options.logs}\n`);
  }
  if (result.ingest!.failed > 0) return ExitCode.userError;
  return exitCodeFor(result.report, options.failOn);
}
