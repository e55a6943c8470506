import { ExitCode } from '../errors.js';
import { severityRank, type AuditReport, type InputProblem, type Severity } from './model.js';

export type FailOn = Severity | 'none';

/**
 * The run's input problems: the files given (failed, wholly rejected) and, when no
 * session started in the window itself (late sessions aside), the window. Any of them
 * makes the verdict `incomplete`: a run with a gap in its input never reads clean.
 */
export function withInputProblems(report: AuditReport, fileProblems: readonly InputProblem[]): AuditReport {
  const problems = [...fileProblems];
  const windowSessions = report.coverage.reduce((sum, c) => sum + c.sessions, 0) - report.lateSessions.length;
  if (windowSessions === 0) {
    const { since, until } = report.run;
    const where = since === null && until === null ? 'the database holds no session' : `no session started in ${since ?? 'the beginning'} .. ${until ?? 'the end'}`;
    problems.push({ kind: 'no-data', file: null, reason: `${where}: a missed delivery, or logs in the wrong place`, linesRead: 0, rejected: 0 });
  }
  return {
    ...report,
    inputProblems: problems,
    verdict: { ...report.verdict, inputProblems: problems.length, status: problems.length > 0 ? 'incomplete' : report.verdict.status },
  };
}

/**
 * docs/nightly.md, Exit codes: 2 when a file failed to load (an input error, named in
 * the reports); else 4 when the input was incomplete (a file wholly rejected, or no
 * data for the window); else 1 when an unsuppressed finding (session, flagged fallback
 * window or policy) is at or above failOn; else 0. Exit 1 thus always means a complete
 * audit with findings: a missed delivery never passes for a night with findings (the
 * policy's own findings would otherwise hide it every night).
 */
export function exitCodeFor(report: AuditReport, failOn: FailOn): ExitCode {
  if (report.inputProblems.some((p) => p.kind === 'failed')) return ExitCode.userError;
  if (report.inputProblems.length > 0) return ExitCode.incomplete;
  const highest = report.verdict.highestSeverity;
  if (failOn !== 'none' && highest !== null && severityRank(highest) >= severityRank(failOn)) return ExitCode.findings;
  return ExitCode.ok;
}
