import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import type { Io } from '../io.js';
import { generateSample } from '../sample/generate.js';

export interface SampleCommandOptions {
  out: string;
  sessions: number;
  seed: number;
}

/** Writes the sample logs, policy and README into `out`, overwriting files of the same names and leaving others alone. */
export async function sampleCommand(options: SampleCommandOptions, io: Io): Promise<ExitCode> {
  const outDir = path.resolve(io.cwd, options.out);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UserError(`--out ${options.out} is a file; name a folder for the sample`);
  const sample = generateSample({ sessions: options.sessions, seed: options.seed });
  const width = Math.max(...sample.files.map((file) => file.path.length));
  for (const file of sample.files) {
    const target = path.resolve(io.cwd, options.out, ...file.path.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content);
    io.stderr(`wrote ${path.join(options.out, file.path).padEnd(width + options.out.length + 1)}  ${String(file.lines).padStart(5)} lines\n`);
  }
  io.stderr(
    `${sample.summary.sessions} sessions, ${sample.summary.records} attempts, seed ${options.seed}; ` +
      `${sample.deliberate.length} deliberate faults, listed in ${path.join(options.out, 'README.md')}\n`,
  );
  return ExitCode.ok;
}
