/**
 * Every error a user can cause has a type here, and each type maps to one exit
 * code in `exitCodeFor`. Anything else is an internal error (a bug): the CLI
 * prints its stack, because then the stack is what a maintainer needs.
 */

export const ExitCode = {
  ok: 0,
  findings: 1,
  userError: 2,
  internal: 3,
  /** The run completed, but its input has a gap: a file wholly rejected, or no data for the window. */
  incomplete: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class for mistakes the user can fix: bad flags, bad input, bad policy. */
export class UserError extends Error {
  override name = 'UserError';
}

export class UsageError extends UserError {
  override name = 'UsageError';
}

/** A problem with an input file; names the file and, where known, line and field. */
export class InputError extends UserError {
  override name = 'InputError';
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(formatLocation(file, line, field) + problem);
  }
}

export interface PolicyProblem {
  /** Dotted path into the policy document, e.g. `routing.US.secondary[2]`. */
  path: string;
  message: string;
  line?: number;
}

export class PolicyError extends UserError {
  override name = 'PolicyError';
  constructor(
    readonly file: string,
    readonly problems: PolicyProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the policy\n` +
        problems.map((p) => `  ${p.line === undefined ? '' : `line ${p.line}: `}${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
    );
  }
}

/** A source definition (docs/sources.md) with problems, each with its YAML path and line, like a policy's. */
export class SourceError extends UserError {
  override name = 'SourceError';
  constructor(
    readonly file: string,
    readonly problems: PolicyProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the source definition\n` +
        problems.map((p) => `  ${p.line === undefined ? '' : `line ${p.line}: `}${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
    );
  }
}

/** Another process holds the database; the message says which and what to do. */
export class DatabaseLockedError extends UserError {
  override name = 'DatabaseLockedError';
}

/** The disk (or quota) under the database or the reports is full: the user frees space and runs again. */
export class DiskFullError extends UserError {
  override name = 'DiskFullError';
}

/** ENOSPC or EDQUOT, from Node (error.code) or from DuckDB (its message, e.g. 'Could not write file "…": No space left on device'). */
export function isDiskFull(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  return typeof message === 'string' && /no space left on device|disk quota exceeded/i.test(message);
}

/**
 * DuckDB could not stay within its memory limit (an operator that cannot spill
 * to disk needed more): the user raises --memory-limit. Also when wrapped, as a
 * detection's QueryError is, with DuckDB's error as its cause.
 */
export function isOutOfMemory(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /Out of Memory Error/.test(message)) return true;
  }
  return false;
}

/** A detection query failed: names the detection and its file. */
export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    readonly detectionId: string,
    readonly file: string,
    cause: unknown,
  ) {
    super(`detection "${detectionId}" (${file}) failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * A file under queries/ is broken: a detection header that does not parse, or a result
 * without the columns its reader needs. A fault of the install or of a rule's author, not
 * of the input; the message names the file and what is wrong, so it is shown without a stack.
 */
export class QueryFileError extends Error {
  override name = 'QueryFileError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** A ClickHouse server refused a query under queries/clickhouse/: its `Code: N` (read from the message: the client cannot parse 18.16's errors) and message. */
export class ClickHouseError extends Error {
  override name = 'ClickHouseError';
  constructor(
    readonly file: string,
    readonly code: number | null,
    message: string,
  ) {
    super(`ClickHouse refused ${file}${code === null ? '' : ` (Code: ${code})`}: ${message}`);
  }
}

/** ClickHouse cannot be reached, or says the setup is wrong (no such cluster, a bad user): the user fixes it. */
export class ClickHouseSetupError extends UserError {
  override name = 'ClickHouseSetupError';
}

export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof UserError ? ExitCode.userError : ExitCode.internal;
}

function formatLocation(file: string, line?: number, field?: string): string {
  let location = file;
  if (line !== undefined) location += `:${line}`;
  if (field !== undefined) location += ` (field "${field}")`;
  return `${location}: `;
}

/** The system error code of a Node error (ENOENT, EACCES, …), or undefined. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}
