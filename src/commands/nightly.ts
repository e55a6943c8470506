import type { FailOn } from '../detect/verdict.js';
import { nightlyWindow, parseTime } from '../detect/window.js';
import type { ExitCode } from '../errors.js';
import type { FormatChoice } from '../ingest/discover.js';
import type { ColumnMapping } from '../ingest/mapping.js';
import type { Io } from '../io.js';
import { runPipeline } from '../pipeline.js';
import { reportRun } from './run-output.js';

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

/** Unattended: ingest what is new, audit the last complete UTC day and what arrived late, write reports, exit with the code. */
export async function nightlyCommand(options: NightlyCommandOptions, io: Io): Promise<ExitCode> {
  const now = options.now === undefined ? io.now() : parseTime('--now', options.now);
  const result = await runPipeline(
    {
      kind: 'nightly',
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
  return reportRun(result, options.failOn, io, options.db);
}
