/**
 * Turns the user's PATH arguments (files, directories searched recursively,
 * globs) into the list of log files to ingest, in a stable order. Files in a
 * directory that are not logs are listed as skipped, never dropped unsaid; a
 * file named explicitly must be a log.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { InputError, UsageError, errorCode } from '../errors.js';
import { COMPRESSION_SUFFIXES, FORMAT_SUFFIXES, LOG_SUFFIXES_TEXT, type Compression, type LogFormat } from '../log-names.js';

export type { Compression, LogFormat };
export type FormatChoice = 'auto' | LogFormat;

export interface LogFile {
  /** As the user would recognise it: relative to the working directory when inside it. */
  path: string;
  absolutePath: string;
  format: LogFormat;
  compression: Compression;
  bytes: number;
}

export interface Discovery {
  files: LogFile[];
  /** Files found in directories that are not logs (by extension), with the reason. */
  skipped: { path: string; reason: string }[];
}

/** Reads format and compression from a file name; null when the name says neither. */
export function classify(name: string, choice: FormatChoice): { format: LogFormat; compression: Compression } | null {
  let rest = name.toLowerCase();
  let compression: Compression = 'none';
  for (const [suffix, kind] of COMPRESSION_SUFFIXES) {
    if (rest.endsWith(suffix)) {
      compression = kind;
      rest = rest.slice(0, -suffix.length);
      break;
    }
  }
  if (choice !== 'auto') return { format: choice, compression };
  for (const [suffix, format] of FORMAT_SUFFIXES) {
    if (rest.endsWith(suffix)) return { format, compression };
  }
  return null;
}

export function discoverLogFiles(inputs: readonly string[], choice: FormatChoice, cwd: string): Discovery {
  if (inputs.length === 0) throw new UsageError('no log paths given');
  const files = new Map<string, LogFile>();
  const skipped: Discovery['skipped'] = [];
  const display = (absolute: string) => displayPath(cwd, absolute);
  const addFile = (absolute: string, stats: Stats, explicit: boolean) => {
    // In a folder only log file names count, --format or not (a README is no log); a file
    // named explicitly, or matched by a glob, is read with --format whatever its name.
    const kind = explicit || classify(absolute, 'auto') !== null ? classify(absolute, choice) : null;
    if (kind === null) {
      if (explicit) {
        throw new InputError(display(absolute), `not a recognised log file name (expected ${LOG_SUFFIXES_TEXT}, optionally .gz or .zst); pass --format to read it anyway`);
      }
      skipped.push({ path: display(absolute), reason: choice === 'auto' ? 'not a log file name' : `not a log file name (name it, or match it with a glob, to read it as ${choice})` });
      return;
    }
    files.set(absolute, { path: display(absolute), absolutePath: absolute, ...kind, bytes: stats.size });
  };
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      throw new InputError(display(dir), `cannot list this folder (${errorCode(error) ?? String(error)}); fix its permissions or leave it out`);
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.name.startsWith('.')) {
        skipped.push({ path: display(full), reason: 'hidden' });
        continue;
      }
      let stats: Stats;
      try {
        stats = statSync(full);
      } catch (error) {
        const code = errorCode(error) ?? String(error);
        skipped.push({ path: display(full), reason: code === 'ENOENT' ? 'a broken symbolic link' : code === 'ELOOP' ? 'a symbolic link loop' : `cannot read it (${code})` });
        continue;
      }
      if (stats.isDirectory()) walk(full);
      else if (stats.isFile()) addFile(full, stats, false);
    }
  };

  for (const input of inputs) {
    if (hasGlob(input)) {
      const matches = expandGlob(input, cwd);
      if (matches.length === 0) throw new InputError(input, 'the pattern matches no file');
      for (const match of matches) addFile(match, statSync(match), true);
      continue;
    }
    const absolute = resolve(cwd, input);
    let stats: Stats;
    try {
      stats = statSync(absolute);
    } catch {
      throw new InputError(input, 'no such file or directory');
    }
    if (stats.isDirectory()) walk(absolute);
    else if (!stats.isFile()) {
      // A pipe or device cannot be read twice (once to hash it, once to load it): its lines would be lost.
      throw new InputError(input, 'not a regular file (a pipe, socket or device); save the stream to a file first, then ingest that file');
    } else addFile(absolute, stats, true);
  }
  const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: sorted, skipped };
}

/** A path as a user reads it: relative to the working directory when inside it, else absolute. */
export function displayPath(cwd: string, absolute: string): string {
  const rel = relative(cwd, absolute);
  return rel && !rel.startsWith('..') ? rel : absolute;
}

function hasGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/** Minimal glob: `*` and `?` within a segment, `**` across segments, `[abc]` classes. */
function expandGlob(pattern: string, cwd: string): string[] {
  const absolute = resolve(cwd, pattern);
  const segments = absolute.split(sep);
  const firstGlob = segments.findIndex(hasGlob);
  const base = segments.slice(0, firstGlob).join(sep) || sep;
  const matcher = globToRegExp(segments.slice(firstGlob).join('/'));
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && matcher.test(relative(base, full).split(sep).join('/'))) found.push(full);
    }
  };
  walk(base);
  return found.sort();
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) source += '\\[';
      else {
        source += `[${glob.slice(i + 1, close).replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
