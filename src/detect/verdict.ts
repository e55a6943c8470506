import { ExitCode } from '../errors.js';
import { severityRank, type AuditReport, type Severity } from './model.js';

export type FailOn = Severity | 'none';

/** 1 when an unsuppressed finding (session, flagged fallback window or policy) is at or above failOn. */
export function exitCodeFor(report: AuditReport, failOn: FailOn): ExitCode {
  if (failOn === 'none' || report.verdict.highestSeverity === null) return ExitCode.ok;
  return severityRank(report.verdict.highestSeverity) >= severityRank(failOn) ? ExitCode.findings : ExitCode.ok;
}
