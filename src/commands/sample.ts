import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import type { Io } from '../io.js';
import { generateSample } from '../sample/generate.js';

export interface SampleCommandOptions {
  out: string;
  sessions: number;
  seed: number;
  /** Write into a folder that is not empty, replacing files of the same names. */
  force: boolean;
}

/** Writes the sample logs, policy and README into `out`: a new or empty folder, or with --force any folder (files of the same names are replaced, others left alone). */
export async function sampleCommand(options: SampleCommandOptions, io: Io): Promise<ExitCode> {
  const outDir = path.resolve(io.cwd, options.out);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UserError(`--out ${options.out} is a file; name a folder for the sample`);
  if (!options.force && existsSync(outDir) && readdirSync(outDir).length > 0) {
    // A policy.yaml someone edited would be replaced without a word.
    throw new UserError(`--out ${options.out} is not empty; name a new or empty folder, or add --force to replace the sample's files in it`);
  }
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
