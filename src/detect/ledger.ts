/**
 * The incident ledger (docs/nightly.md): every incident ever reported under a
 * policy file, with its span and whether it is open. A run's statuses come
 * from the ledger, not from one earlier run, so that a 7-day run after two
 * nightly runs calls new only what no run reported:
 *  - a current incident continues a ledger entry when it has the entry's id,
 *    or the same rule, client region and datacenter region with spans within
 *    incident_gap of each other; it keeps the entry's id (an incident crossing
 *    midnight keeps one id across nights).
 *  - new: it continues no entry; ongoing: it continues an open one;
 *    reopened: it continues a resolved one.
 *  - an open entry that nothing continues is resolved (docs/detections.md,
 *    Resolution) when its cause finding is gone from the policy, when the run's
 *    window ends a quiet period after its last session, or when the run
 *    audited its whole span and no longer finds it.
 * A re-run of the same run id gives the same answer: what that run itself
 * wrote counts as not yet written.
 */
import { varcharList, type Database } from '../db/database.js';
import type { RowOf } from '../db/shape.js';
import { loadQuery, queryRow, queryRows } from '../queries.js';
import { markSharedSessions, sortIncidents } from './audit.js';
import { SEVERITIES, type AuditReport, type DiffStatus, type Incident, type Resolution, type ResolvedIncident, type Severity } from './model.js';
import { LEDGER_ENTRY_ROW, PREVIOUS_RUN_ROW } from './shapes.js';

export interface LedgerOptions {
  policyPath: string;
  kind: 'audit' | 'nightly';
  /** nightly: the highest file id this run audited, the next night's watermark; null otherwise. */
  watermarkFileId: number | null;
}

interface LedgerEntry {
  id: string;
  rule: string;
  clientRegion: string;
  datacenterRegion: string;
  severity: Severity;
  firstSeen: string;
  lastSeen: string;
  sessionCount: number;
  causeFindingIds: string[];
  firstReportedAt: string;
  firstReportedRun: string;
  lastReportedAt: string;
  lastReportedRun: string;
  status: 'open' | 'resolved';
  resolution: Resolution | null;
  resolvedRun: string | null;
  reopenedRun: string | null;
}

/** The run that reports compare with, and the watermark of the last nightly run before this one. */
export async function previousRun(
  db: Database,
  policyPath: string,
  runId: string,
  until: string | null,
): Promise<{ runId: string | null; watermarkFileId: number | null }> {
  const row = await queryRow(db, PREVIOUS_RUN_ROW, 'audit/previous-run.sql', { policy_path: policyPath, run_id: runId, until });
  return { runId: row.run_id, watermarkFileId: row.watermark_file_id };
}

export async function applyLedger(db: Database, report: AuditReport, options: LedgerOptions): Promise<AuditReport> {
  const { run } = report;
  const previous = await previousRun(db, options.policyPath, run.runId, run.until);
  const ledger = (await queryRows(db, LEDGER_ENTRY_ROW, 'audit/ledger-entries.sql', { policy_path: options.policyPath })).map((row) => toEntry(row, run.runId));

  const gap = report.settings.incidentGapMs;
  const taken = new Set<string>();
  const renamed = new Map<string, string>();
  const written: LedgerEntry[] = [];
  const incidents: Incident[] = report.incidents.map((incident) => {
    const continued = ledger.filter((entry) => entry.id === incident.id || continues(entry, incident, gap));
    const entry = continued.find((e) => e.id === incident.id && !taken.has(e.id)) ?? continued.find((e) => !taken.has(e.id));
    const known = entry ?? continued[0];
    const diffStatus: DiffStatus =
      known === undefined || known.firstReportedRun === run.runId
        ? 'new'
        : known.status === 'resolved' || known.reopenedRun === run.runId
          ? 'reopened'
          : 'ongoing';
    const id = entry?.id ?? incident.id;
    taken.add(id);
    if (id !== incident.id) renamed.set(incident.id, id);
    const firstReportedAt = known?.firstReportedAt ?? run.generatedAt;
    written.push({
      id,
      rule: incident.rule,
      clientRegion: incident.clientRegion,
      datacenterRegion: incident.datacenterRegion,
      severity: incident.severity,
      firstSeen: entry && entry.firstSeen < incident.firstSeen ? entry.firstSeen : incident.firstSeen,
      lastSeen: entry && entry.lastSeen > incident.lastSeen ? entry.lastSeen : incident.lastSeen,
      sessionCount: incident.sessionCount,
      causeFindingIds: incident.causeFindingIds,
      firstReportedAt,
      firstReportedRun: known?.firstReportedRun ?? run.runId,
      lastReportedAt: run.generatedAt,
      lastReportedRun: run.runId,
      status: 'open',
      resolution: null,
      resolvedRun: null,
      reopenedRun: diffStatus === 'reopened' ? run.runId : null,
    });
    return { ...incident, id, diffStatus, firstReportedAt };
  });

  const currentPolicyFindings = new Set(report.policyFindings.map((p) => p.id));
  const resolved: ResolvedIncident[] = [];
  for (const entry of ledger) {
    if (taken.has(entry.id) || entry.status !== 'open') continue;
    const closing = resolutionOf(entry, report, currentPolicyFindings);
    if (closing === null) continue;
    resolved.push({
      id: entry.id,
      rule: entry.rule,
      severity: entry.severity,
      clientRegion: entry.clientRegion,
      datacenterRegion: entry.datacenterRegion,
      firstSeen: entry.firstSeen,
      lastSeen: entry.lastSeen,
      sessionCount: entry.sessionCount,
      resolution: closing.resolution,
      reason: closing.reason,
      firstReportedAt: entry.firstReportedAt,
    });
    written.push({ ...entry, status: 'resolved', resolution: closing.resolution, resolvedRun: run.runId, lastReportedAt: run.generatedAt, lastReportedRun: run.runId });
  }

  const findings = markSharedSessions(
    report.findings.map((f) => (f.incidentId !== null && renamed.has(f.incidentId) ? { ...f, incidentId: renamed.get(f.incidentId)! } : f)),
  );
  const count = (status: DiffStatus) => incidents.filter((i) => i.diffStatus === status).length;
  const updated: AuditReport = {
    ...report,
    run: { ...run, previousRunId: previous.runId },
    incidents: sortIncidents(incidents),
    resolvedIncidents: resolved,
    findings,
    verdict: {
      ...report.verdict,
      newIncidents: count('new'),
      ongoingIncidents: count('ongoing'),
      reopenedIncidents: count('reopened'),
      resolvedIncidents: resolved.length,
    },
  };
  await record(db, updated, written, options);
  return updated;
}

/**
 * Why an open entry that this run does not continue is closed now, or null. The cause
 * test comes first: a removed whitelist entry is the resolution a reader wants named.
 */
function resolutionOf(entry: LedgerEntry, report: AuditReport, policyFindings: Set<string>): { resolution: Resolution; reason: string } | null {
  const { since, until } = report.run;
  if (entry.causeFindingIds.length > 0 && entry.causeFindingIds.every((id) => !policyFindings.has(id))) {
    const ids = entry.causeFindingIds.join(', ');
    return { resolution: 'cause-removed', reason: `its cause (${ids}) is no longer in the policy` };
  }
  const quietEnd = Date.parse(entry.lastSeen) + report.settings.quietPeriodMs;
  if (until !== null && Date.parse(until) >= quietEnd) {
    const days = report.settings.quietPeriodMs / 86_400_000;
    const period = Number.isInteger(days) ? `${days} d` : `${report.settings.quietPeriodMs / 3_600_000} h`;
    return { resolution: 'quiet-period', reason: `nothing continued it from its last session (${entry.lastSeen}) to this window's end (${until}), past the quiet period of ${period}` };
  }
  if ((since === null || since <= entry.firstSeen) && (until === null || entry.lastSeen < until)) {
    return { resolution: 'no-longer-found', reason: 'this run audited its whole span and no longer finds it (policy or suppressions changed)' };
  }
  return null;
}

function continues(entry: LedgerEntry, current: Incident, gapMs: number): boolean {
  if (entry.rule !== current.rule || entry.clientRegion !== current.clientRegion || entry.datacenterRegion !== current.datacenterRegion) return false;
  const ms = Date.parse;
  return ms(entry.firstSeen) <= ms(current.lastSeen) + gapMs && ms(current.firstSeen) <= ms(entry.lastSeen) + gapMs;
}

/**
 * An entry as this run must see it: what this same run id wrote in an earlier execution
 * is undone (a first report by it is no report; a resolution by it is still open), so
 * that re-running a run gives its answer again.
 */
function toEntry(r: RowOf<typeof LEDGER_ENTRY_ROW.columns>, runId: string): LedgerEntry {
  const id = r.incident_id;
  const severity = SEVERITIES.find((s) => s === r.severity);
  if (severity === undefined) throw new Error(`incident ledger: incident ${id} has severity ${JSON.stringify(r.severity)}, not one of ${SEVERITIES.join(', ')}`);
  const resolvedByThisRun = r.resolved_run === runId;
  return {
    id,
    rule: r.rule,
    clientRegion: r.client_region,
    datacenterRegion: r.dc_region,
    severity,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    sessionCount: r.session_count,
    causeFindingIds: r.cause_finding_ids,
    firstReportedAt: r.first_reported_at,
    firstReportedRun: r.first_reported_run,
    lastReportedAt: r.last_reported_at,
    lastReportedRun: r.last_reported_run,
    status: resolvedByThisRun ? 'open' : (r.status as LedgerEntry['status']),
    resolution: resolvedByThisRun ? null : (r.resolution as Resolution | null),
    resolvedRun: resolvedByThisRun ? null : r.resolved_run,
    reopenedRun: r.reopened_run,
  };
}

async function record(db: Database, report: AuditReport, ledger: LedgerEntry[], options: LedgerOptions): Promise<void> {
  const list = (pick: (i: Incident) => string) => varcharList(report.incidents.map(pick));
  const entries = (pick: (e: LedgerEntry) => string | null) => varcharList(ledger.map((e) => pick(e) ?? ''));
  await db.transaction(() =>
    db.runScript(loadQuery('audit/record-run.sql'), {
      run_id: report.run.runId,
      policy_path: options.policyPath,
      policy_sha256: report.run.policySha256,
      since: report.run.since,
      until: report.run.until,
      generated_at: report.run.generatedAt,
      previous_run_id: report.run.previousRunId,
      kind: options.kind,
      watermark_file_id: options.watermarkFileId,
      incident_ids: list((i) => i.id),
      rules: list((i) => i.rule),
      client_regions: list((i) => i.clientRegion),
      dc_regions: list((i) => i.datacenterRegion),
      severities: list((i) => i.severity),
      first_seens: list((i) => i.firstSeen),
      last_seens: list((i) => i.lastSeen),
      session_counts: list((i) => String(i.sessionCount)),
      ledger_ids: entries((e) => e.id),
      ledger_rules: entries((e) => e.rule),
      ledger_client_regions: entries((e) => e.clientRegion),
      ledger_dc_regions: entries((e) => e.datacenterRegion),
      ledger_severities: entries((e) => e.severity),
      ledger_first_seens: entries((e) => e.firstSeen),
      ledger_last_seens: entries((e) => e.lastSeen),
      ledger_session_counts: entries((e) => String(e.sessionCount)),
      ledger_causes: entries((e) => e.causeFindingIds.join(',')),
      ledger_first_reported_ats: entries((e) => e.firstReportedAt),
      ledger_first_reported_runs: entries((e) => e.firstReportedRun),
      ledger_last_reported_ats: entries((e) => e.lastReportedAt),
      ledger_last_reported_runs: entries((e) => e.lastReportedRun),
      ledger_statuses: entries((e) => e.status),
      ledger_resolutions: entries((e) => e.resolution),
      ledger_resolved_runs: entries((e) => e.resolvedRun),
      ledger_reopened_runs: entries((e) => e.reopenedRun),
    }),
  );
}
