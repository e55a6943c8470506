import { auditWindow } from '../detect/window.js';
import type { ExitCode } from '../errors.js';
import type { Io } from '../io.js';
import { runAndReport, type RunOptions } from './run-output.js';

export interface AuditCommandOptions extends RunOptions {
  logs?: string[];
  since?: string;
  until?: string;
  last?: string;
  /** Folder for the run folder; null writes none (--no-reports). */
  out: string | null;
}

export async function auditCommand(options: AuditCommandOptions, io: Io): Promise<ExitCode> {
  return runAndReport(
    options,
    { kind: 'audit', logs: options.logs ?? null, window: (now) => auditWindow(options, now), out: options.out, createDatabase: false },
    io,
  );
}
