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

/** Another process holds the database; the message says which and what to do. */
export class DatabaseLockedError extends UserError {
  override name = 'DatabaseLockedError';
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

export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof UserError ? ExitCode.userError : ExitCode.internal;
}

function formatLocation(file: string, line?: number, field?: string): string {
  let location = file;
  if (line !== undefined) location += `:${line}`;
  if (field !== undefined) location += ` (field "${field}")`;
  return `${location}: `;
}
