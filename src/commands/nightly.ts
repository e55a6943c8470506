import { nightlyWindow } from '../detect/window.js';
import type { ExitCode } from '../errors.js';
import type { Io } from '../io.js';
import { runAndReport, type RunOptions } from './run-output.js';

export interface NightlyCommandOptions extends RunOptions {
  logs: string;
  out: string;
  window?: string;
}

/** Unattended: ingest what is new, audit the last complete UTC day and what arrived late, write reports, exit with the code. */
export async function nightlyCommand(options: NightlyCommandOptions, io: Io): Promise<ExitCode> {
  return runAndReport(
    options,
    { kind: 'nightly', logs: [options.logs], window: (now) => nightlyWindow(options.window, now), out: options.out, createDatabase: true },
    io,
  );
}
