/**
 * Running the built CLI (dist/cli.js) as a separate process, for the tests that
 * need a real process: locks, kills, exit codes, stderr, peak memory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist/cli.js');
/** Preloaded into the CLI process to record its peak RSS (see runCliProcess's measureRss). */
const MAX_RSS_HOOK = join(ROOT, 'test/support/max-rss.mjs');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/ (other edits may break the build for a moment: it retries). */
export function ensureBuilt(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  let output = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status === 0) return;
    output = build.stdout + build.stderr;
  }
  throw new Error(`npm run build failed:\n${output}`);
}

export interface Outcome {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  elapsedMs: number;
  /** Peak resident set size in bytes, when measured. */
  maxRssBytes: number | null;
}

export interface RunOptions {
  /** SIGKILL `afterMs` after `state()` first returns something other than what it returned at the start. */
  kill?: { state: () => string; afterMs: number };
  /** Record the process's peak RSS. */
  measureRss?: boolean;
  env?: Record<string, string>;
}

/**
 * Runs the CLI in `cwd`. A kill is timed from a change the run makes (its
 * database files, a temp folder), so the moment depends on the run's progress,
 * not on the machine's speed.
 */
export function runCliProcess(args: string[], cwd: string, options: RunOptions = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const { kill } = options;
    const before = kill ? kill.state() : '';
    let rssFile: string | null = null;
    const nodeArgs: string[] = [];
    if (options.measureRss) {
      rssFile = join(mkdtempSync(join(tmpdir(), 'routeaudit-rss-')), 'max-rss');
      nodeArgs.push('--import', MAX_RSS_HOOK);
    }
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...(rssFile ? { ROUTEAUDIT_TEST_MAX_RSS_FILE: rssFile } : {}), ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timer: NodeJS.Timeout | null = null;
    const poll = kill
      ? setInterval(() => {
          if (kill.state() === before) return;
          clearInterval(poll!);
          timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
        }, 2)
      : null;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const elapsedMs = performance.now() - started;
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      let maxRssBytes: number | null = null;
      if (rssFile) {
        if (existsSync(rssFile)) maxRssBytes = Number(readFileSync(rssFile, 'utf8')) * 1024;
        rmSync(join(rssFile, '..'), { recursive: true, force: true });
      }
      resolve({ pid: child.pid ?? -1, code, signal, stdout, stderr, elapsedMs, maxRssBytes });
    });
  });
}

/** Size and mtime of a database and its WAL: changes when a run creates, replays or commits to them. */
export function databaseFilesState(dbPath: string): string {
  return [dbPath, `${dbPath}.wal`].map((path) => (existsSync(path) ? `${statSync(path).size}@${statSync(path).mtimeMs}` : '-')).join(' ');
}

/** A stack trace line as Node prints it: what the CLI must never show for a user's mistake. */
export const STACK_LINE = /^ {4}at /m;

/** A small seeded generator (mulberry32): random moments that a failing run can reproduce. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
