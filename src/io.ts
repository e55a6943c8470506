import { basename, isAbsolute, relative } from 'node:path';

/** Where commands write: data to stdout, progress and messages to stderr. Injected so tests run the CLI in-process. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Raw bytes to stdout (Arrow IPC). */
  stdoutBytes: (bytes: Uint8Array) => void;
  stderrIsTTY: boolean;
  /** Colour only on a terminal and when NO_COLOR is unset. */
  color: boolean;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
  cwd: string;
  /** How to run routeaudit again from cwd, for hints: `routeaudit` when on the PATH, else `node dist/cli.js`. */
  self: string;
}

export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutBytes: (bytes) => process.stdout.write(bytes),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    now: () => new Date(),
    cwd: process.cwd(),
    self: selfCommand(process.argv[1], process.cwd()),
  };
}

/** A bin link named routeaudit is on the PATH; a direct `node dist/cli.js` (npm start) is not. */
export function selfCommand(script: string | undefined, cwd: string): string {
  if (script === undefined) return 'routeaudit';
  if (basename(script) === 'routeaudit') return 'routeaudit';
  const shown = relative(cwd, script);
  return `node ${shown.startsWith('..') || isAbsolute(shown) ? script : shown}`;
}
