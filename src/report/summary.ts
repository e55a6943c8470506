/**
 * What the human reports say, shared by summary.md and report.html so that both
 * tell the same story in the same words. Everything here is plain text; each
 * renderer escapes it for its own format.
 *
 * Dates are formatted by slicing ISO strings, never with locale methods, so the
 * output does not depend on the machine's time zone.
 */
import {
  type AuditReport,
  type FallbackWindow,
  type Incident,
  type InputProblem,
  type Placement,
  type ResolvedIncident,
  type SessionFinding,
  type Severity,
  type Verdict,
} from '../detect/model.js';

/** '2020-04-01T14:05:12.000Z' -> '2020-04-01 14:05:12 UTC'. */
export function formatUtc(iso: string): string {
  const normalized = new Date(iso).toISOString();
  return `${normalized.slice(0, 10)} ${normalized.slice(11, 19)} UTC`;
}

/** '2020-04-01T14:00:00.000Z' -> '2020-04-01 14:00 UTC', for window starts. */
export function formatUtcMinute(iso: string): string {
  const normalized = new Date(iso).toISOString();
  return `${normalized.slice(0, 10)} ${normalized.slice(11, 16)} UTC`;
}

const DURATION_UNITS: [label: string, ms: number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1_000],
];

/** The two most significant units, e.g. '3 h 36 min', '2 d 4 h', '45 s'. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000)) * 1000;
  const counts = DURATION_UNITS.map(([label, size]) => {
    const count = Math.floor(rest / size);
    rest -= count * size;
    return { label, count };
  });
  const first = counts.findIndex((unit) => unit.count > 0);
  if (first === -1) return '0 s';
  return counts
    .slice(first, first + 2)
    .filter((unit) => unit.count > 0)
    .map((unit) => `${unit.count} ${unit.label}`)
    .join(' ');
}

/** 0.38 -> '38%', 0.0525 -> '5.3%', 0.333 -> '33.3%'. */
export function formatPercent(rate: number): string {
  const percent = rate * 100;
  const rounded = Math.round(percent * 10) / 10;
  return Number.isInteger(rounded) ? `${rounded}%` : `${rounded.toFixed(1)}%`;
}

export function percentOrDash(rate: number | null): string {
  return rate === null ? '—' : formatPercent(rate);
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/**
 * Control characters and bidirectional overrides from hostile logs would corrupt
 * or visually reorder the human reports; they become U+FFFD so that the reader
 * sees that something odd was there. Tab, LF and CR become spaces because a
 * table cell or a sentence cannot hold a line break.
 */
export function sanitizeForDisplay(text: string): string {
  return text
    .replace(/[\t\n\r]/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
}

/** The geo database line of the run metadata. */
export function geoDatabaseText(run: AuditReport['run']): string {
  if (run.geo === null) return 'none (--no-geo): client_ip was not looked up';
  return `${run.geo.source} ${run.geo.version}; licence: ${run.geo.licence}`;
}

/** What each IpResolution status means, for the coverage tables. */
const IP_STATUS_TEXT: Record<string, string> = {
  resolved: 'the geo database gives a country',
  private: 'private-use range (10/8, 172.16/12, 192.168/16, fc00::/7)',
  loopback: 'loopback (127/8, ::1)',
  'link-local': 'link-local (169.254/16, fe80::/10)',
  documentation: 'documentation range (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20)',
  cgnat: 'carrier-grade NAT shared space (100.64/10)',
  multicast: 'multicast (224/4, ff00::/8)',
  benchmarking: 'benchmarking (198.18/15)',
  unspecified: 'unspecified address (0/8, ::)',
  reserved: 'reserved for future or protocol use',
  invalid: 'not an IP address',
  'not-in-database': 'a public address the geo database does not list',
  'not-looked-up': 'not looked up: the run used no geo database',
  'no-address': 'the session logged no client_ip',
};

export function ipStatusText(status: string): string {
  return IP_STATUS_TEXT[status] ?? 'special-purpose range';
}

export function auditWindowText(report: AuditReport): string {
  const since = report.run.since === null ? 'the earliest session in the database' : formatUtc(report.run.since);
  const until = report.run.until === null ? 'the latest session in the database' : formatUtc(report.run.until);
  return `${since} to ${until}`;
}

export interface VerdictText {
  /** Without the 'Verdict: ' prefix, e.g. '2 new incidents, 1 ongoing' or 'clean'. */
  headline: string;
  highestSeverity: Severity | null;
  /** Other counts worth a glance, e.g. '1 flagged fallback window'. */
  alsoNoted: string[];
}

export function verdictText(verdict: Verdict): VerdictText {
  const incidents: string[] = [];
  if (verdict.newIncidents > 0) incidents.push(plural(verdict.newIncidents, 'new incident'));
  if (verdict.reopenedIncidents > 0) incidents.push(`${verdict.reopenedIncidents} reopened`);
  if (verdict.ongoingIncidents > 0) incidents.push(`${verdict.ongoingIncidents} ongoing`);
  // Incidents overlap (one session can break two rules): the distinct sessions say how many were affected.
  if (incidents.length > 0) incidents[incidents.length - 1] += ` (${plural(verdict.incidentSessions, 'distinct session')})`;
  const others: string[] = [];
  if (verdict.flaggedFallbackWindows > 0) others.push(plural(verdict.flaggedFallbackWindows, 'flagged fallback window'));
  if (verdict.policyFindings > 0) others.push(plural(verdict.policyFindings, 'policy finding'));
  if (verdict.countryMismatches > 0) others.push(plural(verdict.countryMismatches, 'country-mismatch session'));
  const context: string[] = [];
  if (verdict.resolvedIncidents > 0) context.push(plural(verdict.resolvedIncidents, 'resolved incident'));
  if (verdict.suppressedFindings > 0) context.push(plural(verdict.suppressedFindings, 'suppressed finding'));

  const found = incidents.length > 0 ? incidents.join(', ') : ['no incidents', ...others].join(', ');
  const alsoNoted = incidents.length > 0 ? [...others, ...context] : context;
  if (verdict.status === 'incomplete') {
    // First, in words no reader can take for clean.
    const what = verdict.highestSeverity === null && incidents.length === 0 ? found.replace(/^no incidents/, 'no finding in what was read') : found;
    return { headline: `INCOMPLETE: ${plural(verdict.inputProblems, 'input problem')} (see Input problems); ${what}`, highestSeverity: verdict.highestSeverity, alsoNoted };
  }
  if (verdict.status === 'clean') return { headline: 'clean', highestSeverity: null, alsoNoted: context };
  return { headline: found, highestSeverity: verdict.highestSeverity, alsoNoted };
}

/** What each kind of input problem means, for the Input problems sections. */
export function inputProblemText(problem: InputProblem): string {
  const what = { failed: 'failed to load', 'all-rejected': 'loaded nothing', 'no-data': 'no data', 'source-gap': 'incomplete at the source' }[problem.kind];
  return `${what}: ${problem.reason}`;
}

/** The late sessions per file that brought them, in file order. */
export function lateSessionsByFile(report: AuditReport): { file: string; sessions: number; earliest: string; latest: string }[] {
  const byFile = new Map<string, { file: string; sessions: number; earliest: string; latest: string }>();
  for (const session of report.lateSessions) {
    for (const file of session.files) {
      const entry = byFile.get(file) ?? { file, sessions: 0, earliest: session.sessionStart, latest: session.sessionStart };
      entry.sessions += 1;
      if (session.sessionStart < entry.earliest) entry.earliest = session.sessionStart;
      if (session.sessionStart > entry.latest) entry.latest = session.sessionStart;
      byFile.set(file, entry);
    }
  }
  return [...byFile.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The other incidents that share sessions with this one, with how many sessions each shares. */
export function sharedSessions(report: AuditReport, incident: Incident): { incidentId: string; sessions: number }[] {
  const counts = new Map<string, number>();
  for (const finding of report.findings) {
    if (finding.incidentId !== incident.id) continue;
    for (const other of finding.otherIncidentIds) counts.set(other, (counts.get(other) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([incidentId, sessions]) => ({ incidentId, sessions }));
}

export function sharedSessionsText(shared: { incidentId: string; sessions: number }[]): string | null {
  if (shared.length === 0) return null;
  return `${shared.map((s) => `${plural(s.sessions, 'session')} also in ${s.incidentId}`).join('; ')} (one row per incident in affected-sessions.csv, column also_in_incidents)`;
}

export function firstReportedText(incident: Incident, generatedAt: string): string {
  return incident.firstReportedAt === generatedAt ? `${formatUtc(incident.firstReportedAt)} (this run)` : formatUtc(incident.firstReportedAt);
}

export function resolutionText(resolved: ResolvedIncident): string {
  const label = resolved.resolution === 'cause-removed' ? 'cause removed' : resolved.resolution === 'quiet-period' ? 'quiet period' : 'no longer found';
  return `${label}: ${resolved.reason}`;
}

/** One sentence: what happened (the rule's `what-happened` template, rendered by the audit). */
export function whatHappened(incident: Incident): string {
  return incident.summary;
}

export function incidentWhen(incident: Incident): string {
  if (incident.firstSeen === incident.lastSeen) return `${formatUtc(incident.firstSeen)} (a single session start)`;
  const duration = formatDuration(Date.parse(incident.lastSeen) - Date.parse(incident.firstSeen));
  return `${formatUtc(incident.firstSeen)} to ${formatUtc(incident.lastSeen)} (${duration} between first and last session start)`;
}

/**
 * The incidents a reader must see first: those of the highest severity, at most
 * three, each as one line: title, what happened, when, and the first sentence of its cause.
 */
export function mostUrgent(report: AuditReport): string[] {
  const top = report.incidents[0];
  if (top === undefined) return [];
  return report.incidents
    .filter((i) => i.severity === top.severity)
    .slice(0, 3)
    .map((i) => {
      const when = i.firstSeen === i.lastSeen ? formatUtcMinute(i.firstSeen) : `${formatUtcMinute(i.firstSeen)} to ${formatUtcMinute(i.lastSeen)}`;
      const cause = /^.*?\.(?=\s|$)/.exec(i.cause)?.[0] ?? i.cause;
      return `${i.title} (${i.id}): ${whatHappened(i)} ${when}. ${cause}`.trim();
    });
}

/** Shown in full up to this many; beyond it the reports point to affected-sessions.csv. */
const LIST_LIMIT = 8;

export function truncatedList(values: string[], limit = LIST_LIMIT): { shown: string[]; more: number } {
  return { shown: values.slice(0, limit), more: Math.max(0, values.length - limit) };
}

/** How a catalog placement reads after "placed"; `geo` places only what the catalog lacks. */
const PLACEMENT_WORDS: Record<Exclude<Placement, 'geo'>, string> = {
  id: 'by id',
  name: 'by name',
  network: 'by address in its networks',
};

/**
 * A datacenter of an incident, where it is and how its log lines were placed: by id says
 * nothing more (the common case); by name or network says so; one outside the catalog says
 * that, and the country the geo database gives its address.
 */
export function datacenterText(datacenter: Incident['datacenters'][number]): string {
  const byCatalog = datacenter.placedBy.filter((placement): placement is Exclude<Placement, 'geo'> => placement !== 'geo');
  const sessions = plural(datacenter.sessions, 'session');
  if (byCatalog.length === 0) {
    const geo = datacenter.placedBy.includes('geo') && datacenter.country !== null ? `; its address is in ${datacenter.country} by the geo database` : '';
    return `${datacenter.id} (not in the policy catalog${geo}): ${sessions}`;
  }
  const details = [datacenter.operator, datacenter.country].filter((value): value is string => value !== null).join(', ');
  const placed = byCatalog.length === 1 && byCatalog[0] === 'id' ? '' : `; placed ${joinAnd(byCatalog.map((placement) => PLACEMENT_WORDS[placement]))}`;
  return `${datacenter.id} (${details}${placed}): ${sessions}`;
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

export function fallbackPeakText(incident: Incident): string | null {
  const peak = incident.fallbackPeak;
  if (peak === null) return null;
  const baseline = peak.baselineRate === null ? 'no baseline yet' : `a ${formatPercent(peak.baselineRate)} baseline`;
  const flagged = peak.flagged ? ' (a flagged window)' : '';
  return `Client region ${incident.clientRegion} peaked at ${formatPercent(peak.rate)} via secondary in the window from ${formatUtcMinute(peak.windowStart)}${flagged}, against ${baseline}`;
}

/** Flagged, whether or not a suppression covers it. */
export function isFlagged(window: FallbackWindow): boolean {
  return window.flags.length > 0;
}

/** Flagged and not suppressed: what the verdict counts. */
export function isActivelyFlagged(window: FallbackWindow): boolean {
  return isFlagged(window) && window.suppression === null;
}

export function flaggedStatusText(window: FallbackWindow): string {
  const suppression = window.suppression;
  return suppression === null ? 'active' : `suppressed by suppressions[${suppression.index}]: ${suppression.reason}`;
}

/** A window with fewer connected sessions than `min_sessions` has a rate, but too few sessions to mean anything. */
export function isRated(window: FallbackWindow, minSessions: number): boolean {
  return window.rate !== null && window.connected >= minSessions;
}

export interface RegionFallbackSummary {
  /** The window rule (kind `window`) that rated the region's windows. */
  rule: string;
  clientRegion: string;
  windows: number;
  ratedWindows: number;
  flaggedWindows: number;
  sessions: number;
  neverConnected: number;
  /** The rated window with the highest rate; null when no window was rated. */
  peak: FallbackWindow | null;
}

/** Per window rule and client region, in the order of the windows (rule, then region). */
export function regionFallbackSummaries(report: AuditReport): RegionFallbackSummary[] {
  const byRegion = new Map<string, FallbackWindow[]>();
  for (const window of report.fallbackWindows) {
    // A rule id holds no NUL, so the key cannot be confused across rules.
    const key = `${window.rule}\0${window.clientRegion}`;
    const windows = byRegion.get(key) ?? [];
    windows.push(window);
    byRegion.set(key, windows);
  }
  return [...byRegion.values()].map((windows) => {
    const { rule, clientRegion } = windows[0]!;
    const rated = windows.filter((window) => isRated(window, report.settings.minSessions));
    const peak = rated.reduce<FallbackWindow | null>((best, window) => (best === null || (window.rate ?? 0) > (best.rate ?? 0) ? window : best), null);
    return {
      rule,
      clientRegion,
      windows: windows.length,
      ratedWindows: rated.length,
      flaggedWindows: windows.filter(isFlagged).length,
      sessions: windows.reduce((sum, window) => sum + window.sessions, 0),
      neverConnected: windows.reduce((sum, window) => sum + window.neverConnected, 0),
      peak,
    };
  });
}

/** The window rules of a report, in order; the reports name the rule of each window only when there are several. */
export function windowRules(report: AuditReport): string[] {
  return [...new Set(report.fallbackWindows.map((window) => window.rule))];
}

export function flagsText(window: FallbackWindow): string {
  return window.flags.map((flag) => (flag === 'max-rate' ? 'over max_rate' : 'far above baseline')).join(', ');
}

export interface SuppressedGroup {
  rule: string;
  suppressionIndex: number | null;
  reason: string;
  until: string | null;
  /** In report order: by session start. */
  findings: SessionFinding[];
}

/** Suppressed findings grouped by rule and the suppression that matched them, in first-appearance order. */
export function suppressedGroups(findings: SessionFinding[]): SuppressedGroup[] {
  const groups = new Map<string, SuppressedGroup>();
  for (const finding of findings) {
    if (finding.status !== 'suppressed') continue;
    const key = JSON.stringify([finding.rule, finding.suppression?.index ?? null]);
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        rule: finding.rule,
        suppressionIndex: finding.suppression?.index ?? null,
        reason: finding.suppression?.reason ?? '(no suppression recorded)',
        until: finding.suppression?.until ?? null,
        findings: [],
      };
      groups.set(key, group);
    }
    group.findings.push(finding);
  }
  return [...groups.values()];
}

export function ingestBalanceText(ingest: AuditReport['ingest']): string {
  const accounted = ingest.loaded + ingest.duplicates + ingest.rejected;
  const equation = `${ingest.linesRead} read = ${ingest.loaded} loaded + ${ingest.duplicates} duplicates + ${ingest.rejected} rejected`;
  if (accounted === ingest.linesRead) return `Every line is accounted for: ${equation}.`;
  return `The lines do not add up: ${ingest.linesRead} read but ${accounted} accounted for (${ingest.loaded} loaded + ${ingest.duplicates} duplicates + ${ingest.rejected} rejected); this is a bug worth reporting.`;
}

