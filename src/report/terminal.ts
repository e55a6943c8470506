/** The audit summary printed on the terminal: the verdict, then what to open next. */
import type { AuditReport } from '../detect/model.js';
import { formatTable } from './table.js';
import { thousands } from '../numbers.js';

export function formatTerminalSummary(report: AuditReport, runFolder: string | null): string {
  const v = report.verdict;
  const lines: string[] = [];
  const window = `${report.run.since ?? '(start)'} .. ${report.run.until ?? '(end)'}`;
  lines.push(`audit window ${window} (sessions by start; end exclusive)`);
  const incomplete = v.status === 'incomplete' ? `INCOMPLETE (${v.inputProblems} input problem${v.inputProblems === 1 ? '' : 's'}): ` : '';
  if (v.status === 'clean') lines.push('verdict: clean: no active finding');
  else if (v.highestSeverity === null) lines.push(`verdict: ${incomplete}no active finding in what was read`);
  else {
    lines.push(
      `verdict: ${incomplete}${v.newIncidents} new incident${v.newIncidents === 1 ? '' : 's'}, ${v.reopenedIncidents} reopened, ${v.ongoingIncidents} ongoing, ${v.resolvedIncidents} resolved ` +
        `(${n(v.incidentSessions)} distinct session${v.incidentSessions === 1 ? '' : 's'}); ` +
        `${v.flaggedFallbackWindows} flagged fallback window${v.flaggedFallbackWindows === 1 ? '' : 's'}; ${v.policyFindings} policy finding${v.policyFindings === 1 ? '' : 's'}; highest severity ${v.highestSeverity}`,
    );
  }
  for (const p of report.inputProblems) lines.push(`input problem: ${p.kind}${p.file === null ? '' : ` ${p.file}`}: ${p.reason}`);
  for (const entry of report.notAssessable) {
    lines.push(`not assessable from this source: ${entry.rule} (needs ${entry.needs}) did not judge ${n(entry.sessions)} session${entry.sessions === 1 ? '' : 's'} from ${entry.sources.join(', ')}`);
  }
  if (report.lateSessions.length > 0) {
    const files = [...new Set(report.lateSessions.flatMap((s) => s.files))].sort();
    lines.push(`late arrivals: ${n(report.lateSessions.length)} session${report.lateSessions.length === 1 ? '' : 's'} from before the window, from ${files.join(', ')}`);
  }
  lines.push('');
  if (report.incidents.length > 0) {
    lines.push(
      formatTable(
        ['incident', 'status', 'severity', 'rule', 'clients', 'datacenters', 'sessions', 'first seen (UTC)', 'last seen (UTC)'],
        report.incidents.map((i) => [
          i.id,
          i.diffStatus,
          i.severity,
          i.rule,
          i.clientRegion,
          `${i.datacenterRegion}: ${i.datacenters.map((d) => d.id).join(' ')}`,
          i.sessionCount,
          i.firstSeen.slice(0, 16).replace('T', ' '),
          i.lastSeen.slice(0, 16).replace('T', ' '),
        ]),
      ),
    );
  }
  const flagged = report.fallbackWindows.filter((w) => w.flags.length > 0);
  if (flagged.length > 0) {
    const byRegion = new Map<string, typeof flagged>();
    for (const w of flagged) byRegion.set(`${w.rule}: ${w.clientRegion}`, [...(byRegion.get(`${w.rule}: ${w.clientRegion}`) ?? []), w]);
    for (const [ruleAndRegion, windows] of byRegion) {
      const peak = windows.reduce((a, b) => ((b.rate ?? 0) > (a.rate ?? 0) ? b : a));
      lines.push(
        `${ruleAndRegion}: ${windows.length} window${windows.length === 1 ? '' : 's'} flagged, peak ${pct(peak.rate)} at ${peak.windowStart.slice(0, 16).replace('T', ' ')} UTC` +
          (peak.baselineRate === null ? '' : ` (baseline ${pct(peak.baselineRate)})`) +
          (windows.every((w) => w.suppression !== null) ? ' [suppressed]' : ''),
      );
    }
  }
  for (const p of report.policyFindings) lines.push(`policy: ${p.severity} ${p.id} ${p.path}: ${p.message}`);
  if (v.suppressedFindings > 0) lines.push(`${v.suppressedFindings} suppressed finding${v.suppressedFindings === 1 ? '' : 's'} (listed in the reports)`);
  if (report.resolvedIncidents.length > 0) lines.push(`resolved: ${report.resolvedIncidents.map((r) => `${r.id} (${r.severity}, ${r.resolution})`).join(', ')}`);
  if (report.countryMismatches.length > 0) {
    const pairs = report.countryMismatches.map((m) => `${m.declared}->${m.resolved} ${n(m.sessions)}`).join(', ');
    lines.push(`country-mismatch: ${n(v.countryMismatches)} session${v.countryMismatches === 1 ? '' : 's'} declared a country other than their address's (${pairs})`);
  }
  const sessions = report.coverage.reduce((n, c) => n + c.sessions, 0);
  lines.push(
    sessions === 0
      ? `sessions audited: 0: no session started in the window (were its logs delivered and ingested?)`
      : `sessions audited: ${thousands(sessions)} (${report.coverage.map((c) => `${c.clientRegion} ${thousands(c.sessions)}`).join(', ')})`,
  );
  const fromIp = report.coverage.reduce((total, c) => total + c.countryFromIp, 0);
  const fromNetwork = report.coverage.reduce((total, c) => total + c.countryFromNetwork, 0);
  const unplaced = report.coverage.reduce((total, c) => total + c.ipWithoutCountry, 0);
  const geo = report.run.geo === null ? 'no geo database (--no-geo)' : `geo ${report.run.geo.source} ${report.run.geo.version}`;
  const byNetwork = fromNetwork > 0 ? `${n(fromNetwork)} by the policy's client_networks, ` : '';
  lines.push(`client addresses: ${n(fromIp)} session${fromIp === 1 ? '' : 's'} placed by client_ip, ${byNetwork}${n(unplaced)} with an address that gave no country; ${geo}`);
  const g = report.ingest;
  lines.push(`database: ${g.files} file${g.files === 1 ? '' : 's'}, lines read ${n(g.linesRead)} = loaded ${n(g.loaded)} + duplicates ${n(g.duplicates)} + rejected ${n(g.rejected)}`);
  if (runFolder) lines.push(`reports: ${runFolder}/ (summary.md, report.html, findings.json, affected-sessions.csv, findings.ocsf.json, input-problems.csv, rejects.csv)`);
  return lines.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

function pct(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

function n(value: number): string {
  return thousands(value);
}
