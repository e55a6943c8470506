import { auditWindow, parseTime } from '../detect/window.js';
import type { FailOn } from '../detect/verdict.js';
import type { ExitCode } from '../errors.js';
import type { FormatChoice } from '../ingest/discover.js';
import type { ColumnMapping } from '../ingest/mapping.js';
import type { Io } from '../io.js';
import { runPipeline } from '../pipeline.js';
import { reportRun } from './run-output.js';

export interface AuditCommandOptions {
  policy: string;
  db: string;
  logs?: string[];
  since?: string;
  until?: string;
  last?: string;
  out: string | null;
  now?: string;
  failOn: FailOn;
  format: FormatChoice;
  mapping: ColumnMapping;
  memoryLimit?: string;
  /** --geo files ([] for the bundled database), or false for --no-geo. */
  geo: string[] | false;
}

export async function auditCommand(options: AuditCommandOptions, io: Io): Promise<ExitCode> {
  const now = options.now === undefined ? io.now() : parseTime('--now', options.now);
  const window = auditWindow(options, now);
  const result = await runPipeline(
    {
      kind: 'audit',
      policyFile: options.policy,
      db: options.db,
      logs: options.logs ?? null,
      window,
      now,
      out: options.out,
      format: options.format,
      mapping: options.mapping,
      memoryLimit: options.memoryLimit,
      geo: options.geo,
      createDatabase: false,
    },
    io,
  );
  return reportRun(result, options.failOn, io, options.db);
}
