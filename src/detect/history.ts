/**
 * The run-to-run diff. Each run's incidents are recorded in the database; the
 * next run of the same policy file compares with the latest earlier run:
 *  - ongoing: the same incident id, or an incident of the same rule, client
 *    region and datacenter region that continues a previous one (their spans
 *    are within incident_gap of each other). A continuation keeps the
 *    previous id, so an incident crossing midnight keeps one id across nights.
 *  - new: anything else.
 *  - resolved: a previous incident that no current one continues, whose span
 *    lies in this run's window (so this run looked and no longer found it).
 */
import { varcharList, type Database } from '../db/database.js';
import { loadQuery } from '../queries.js';
import { sortIncidents } from './audit.js';
import { SEVERITIES, type AuditReport, type Incident, type ResolvedIncident, type Severity } from './model.js';

/** A previous run's incident, as recorded; the ones this run no longer finds are reported resolved. */
type PreviousIncident = ResolvedIncident;

function recordedSeverity(value: unknown, incidentId: string): Severity {
  const found = SEVERITIES.find((s) => s === value);
  if (!found) throw new Error(`run history: incident ${incidentId} has severity ${JSON.stringify(value)}, not one of ${SEVERITIES.join(', ')}`);
  return found;
}

export async function applyHistory(db: Database, report: AuditReport, policyPath: string): Promise<AuditReport> {
  const { run } = report;
  const previous = await db.all<{ run_id: string; since: string | null; until: string | null }>(loadQuery('audit/previous-run.sql'), {
    policy_path: policyPath,
    run_id: run.runId,
    until: run.until,
  });
  const previousRunId = previous[0]?.run_id ?? null;
  const before: PreviousIncident[] = previousRunId === null ? [] : (await db.all(loadQuery('audit/run-incidents.sql'), { run_id: previousRunId })).map((r) => ({
    id: r.incident_id as string,
    rule: r.rule as string,
    clientRegion: r.client_region as string,
    datacenterRegion: r.dc_region as string,
    severity: recordedSeverity(r.severity, r.incident_id as string),
    firstSeen: r.first_seen as string,
    lastSeen: r.last_seen as string,
    sessionCount: r.session_count as number,
  }));

  const gap = report.settings.incidentGapMs;
  const matched = new Set<string>();
  const renamed = new Map<string, string>();
  const incidents: Incident[] = report.incidents.map((incident) => {
    const same = before.find((p) => p.id === incident.id) ?? before.find((p) => continues(p, incident, gap));
    if (!same) return { ...incident, diffStatus: 'new' };
    matched.add(same.id);
    if (same.id !== incident.id) renamed.set(incident.id, same.id);
    return { ...incident, id: same.id, diffStatus: 'ongoing' };
  });
  const resolved = before.filter((p) => !matched.has(p.id) && within(p, run.since, run.until));
  const findings = report.findings.map((f) => (f.incidentId !== null && renamed.has(f.incidentId) ? { ...f, incidentId: renamed.get(f.incidentId)! } : f));

  const updated: AuditReport = {
    ...report,
    run: { ...run, previousRunId },
    incidents: sortIncidents(incidents),
    resolvedIncidents: resolved,
    findings,
    verdict: {
      ...report.verdict,
      newIncidents: incidents.filter((i) => i.diffStatus === 'new').length,
      ongoingIncidents: incidents.filter((i) => i.diffStatus === 'ongoing').length,
      resolvedIncidents: resolved.length,
    },
  };
  await recordRun(db, updated, policyPath);
  return updated;
}

function continues(previous: PreviousIncident, current: Incident, gapMs: number): boolean {
  if (previous.rule !== current.rule || previous.clientRegion !== current.clientRegion || previous.datacenterRegion !== current.datacenterRegion) return false;
  const ms = Date.parse;
  return ms(previous.firstSeen) <= ms(current.lastSeen) + gapMs && ms(current.firstSeen) <= ms(previous.lastSeen) + gapMs;
}

function within(incident: ResolvedIncident, since: string | null, until: string | null): boolean {
  return (since === null || incident.lastSeen >= since) && (until === null || incident.firstSeen < until);
}

async function recordRun(db: Database, report: AuditReport, policyPath: string): Promise<void> {
  const list = (pick: (i: Incident) => string) => varcharList(report.incidents.map(pick));
  await db.transaction(() =>
    db.runScript(loadQuery('audit/record-run.sql'), {
      run_id: report.run.runId,
      policy_path: policyPath,
      policy_sha256: report.run.policySha256,
      since: report.run.since,
      until: report.run.until,
      generated_at: report.run.generatedAt,
      previous_run_id: report.run.previousRunId,
      incident_ids: list((i) => i.id),
      rules: list((i) => i.rule),
      client_regions: list((i) => i.clientRegion),
      dc_regions: list((i) => i.datacenterRegion),
      severities: list((i) => i.severity),
      first_seens: list((i) => i.firstSeen),
      last_seens: list((i) => i.lastSeen),
      session_counts: list((i) => String(i.sessionCount)),
    }),
  );
}
