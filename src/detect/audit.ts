/**
 * Runs an audit over the database: policy tables, sessions (derived once),
 * every detection in queries/detections, findings, incidents, fallback windows
 * and coverage; then explains each incident from the policy. The result is
 * the AuditReport that every reporter renders. The run-to-run diff is applied
 * afterwards (history.ts), because it needs the database's earlier runs.
 */
import { varcharList, type Database, type Row } from '../db/database.js';
import { QueryError } from '../errors.js';
import { describeGeo, type GeoSource } from '../geo/source.js';
import { prepareStore } from '../ingest/ingester.js';
import { loadPolicyTables } from '../policy/tables.js';
import type { LoadedPolicy } from '../policy/types.js';
import { loadQuery } from '../queries.js';
import { TOOL_VERSION } from '../version.js';
import { explainIncident } from './cause.js';
import type {
  AuditReport,
  CountryMismatch,
  FallbackWindow,
  Incident,
  IngestAccounting,
  IpResolution,
  LateSession,
  PolicyFinding,
  RegionCoverage,
  SessionFinding,
  Severity,
  SuppressionRef,
} from './model.js';
import { SUMMARISED_RULES, highestSeverity, severityRank } from './model.js';
import { detectionsOfKind, type Detection } from './registry.js';
import { deriveSessions } from './sessions.js';

/** How far back the fallback baseline looks (docs/detections.md). */
export const BASELINE_DAYS = 7;

export interface AuditWindow {
  /** Inclusive start, ISO-8601 UTC; null for "from the first session". */
  since: string | null;
  /** Exclusive end; null for "through the last session". */
  until: string | null;
}

export interface AuditOptions {
  policy: LoadedPolicy;
  window: AuditWindow;
  now: Date;
  databaseLabel: string;
  /** The geo database for client_ip lookups; absent or null: none (sessions without a declared country stay unknown). */
  geo?: GeoSource | null;
  /** nightly: audit sessions with a record in a file ingested after this one, whatever their start (docs/nightly.md). */
  lateAfterFileId?: number | null;
}

export async function runAudit(db: Database, options: AuditOptions): Promise<AuditReport> {
  const { policy } = options.policy;
  await prepareStore(db);
  await loadPolicyTables(db, policy);
  const lookbackStart = options.window.since === null ? null : new Date(Date.parse(options.window.since) - BASELINE_DAYS * 86_400_000).toISOString();
  const lateAfterFileId = options.lateAfterFileId ?? null;
  await deriveSessions(db, { since: options.window.since, until: options.window.until, lookbackStart, lateAfterFileId }, options.geo ?? null);

  const params = {
    primary_timeout_ms: policy.fallback.primaryTimeoutMs,
    window_ms: policy.fallback.windowMs,
    max_rate: policy.fallback.maxRate,
    min_sessions: policy.fallback.minSessions,
    baseline_days: BASELINE_DAYS,
    now: options.now.toISOString(),
  };

  await db.run(loadQuery('audit/raw-findings.sql'));
  for (const detection of detectionsOfKind('session')) {
    await runDetection(detection, () => db.runScript(`INSERT INTO audit_raw_findings BY NAME (${stripTrailingSemicolon(detection.sql)})`, params));
  }
  await db.run(loadQuery('audit/findings.sql'));
  await db.runScript(loadQuery('audit/incidents.sql'), { incident_gap_ms: policy.incidentGapMs, summarised_rules: varcharList(SUMMARISED_RULES) });

  const windows: FallbackWindow[] = [];
  for (const detection of detectionsOfKind('window')) {
    const rows = await runDetection(detection, () => db.all(detection.sql, pick(params, detection.parameters)));
    windows.push(...rows.map(toFallbackWindow));
  }
  const policyFindings = await runPolicyDetections(db, params);
  const coverage = (await db.all(loadQuery('audit/coverage.sql'))).map(
    (r): RegionCoverage => ({
      clientRegion: r.client_region as string,
      sessions: r.sessions as number,
      connected: r.connected as number,
      neverConnected: r.never_connected as number,
      fencedRegionSessions: r.fenced_region_sessions as number,
      countryFromIp: r.country_from_ip as number,
      ipWithoutCountry: r.ip_without_country as number,
    }),
  );
  const countryMismatches = (await db.all(loadQuery('audit/country-mismatches.sql'))).map(
    (r): CountryMismatch => ({ declared: r.declared as string, resolved: r.resolved as string, sessions: r.sessions as number }),
  );
  const ipResolution = (await db.all(loadQuery('audit/ip-resolution.sql'))).map(
    (r): IpResolution => ({ status: r.status as string, sessions: r.sessions as number, addresses: r.addresses as number }),
  );
  const ingest = await db.one(loadQuery('audit/ingest-totals.sql'));
  const window = await effectiveWindow(db, options.window);
  const lateSessions =
    lateAfterFileId === null
      ? []
      : (await db.all(loadQuery('audit/late-sessions.sql'), { late_after_file_id: lateAfterFileId })).map(
          (r): LateSession => ({ sessionId: r.session_id as string, sessionStart: r.session_start as string, files: r.files as string[] }),
        );
  // Sessions and attempts are done with: their memory goes back before the findings, which
  // grow with the logs, are read into JavaScript (docs/performance.md, Memory).
  await db.runScript(loadQuery('audit/release-sessions.sql'));
  const findings = markSharedSessions((await db.all(loadQuery('audit/finding-rows.sql'))).map(toSessionFinding));

  const incidents = distinctTitles(
    (await db.all(loadQuery('audit/incident-rows.sql'))).map((row) => {
      const base = toIncident(row, policy.datacenters);
      return { ...base, ...explainIncident(base, { policy, policyFindings, windows }), firstReportedAt: options.now.toISOString() };
    }),
  );
  await db.runScript(loadQuery('audit/release-findings.sql'));
  const flaggedWindows = windows.filter((w) => w.flags.length > 0 && w.suppression === null).length;
  const highest = highestSeverity([
    ...findings.filter((f) => f.status === 'active').map((f) => f.severity),
    ...(flaggedWindows > 0 ? ['medium' as const] : []),
    ...policyFindings.map((p) => p.severity),
  ]);

  return {
    schemaVersion: 1,
    run: {
      runId: runIdFor(window, options.policy.sha256),
      generatedAt: options.now.toISOString(),
      since: window.since,
      until: window.until,
      policyFile: options.policy.file,
      policySha256: options.policy.sha256,
      database: options.databaseLabel,
      toolVersion: TOOL_VERSION,
      previousRunId: null,
      lateAfterFileId,
      geo: describeGeo(options.geo ?? null),
    },
    verdict: {
      status: highest === null ? 'clean' : 'findings',
      newIncidents: incidents.length,
      ongoingIncidents: 0,
      reopenedIncidents: 0,
      resolvedIncidents: 0,
      incidentSessions: new Set(incidents.flatMap((i) => i.sessionIds)).size,
      inputProblems: 0,
      flaggedFallbackWindows: flaggedWindows,
      policyFindings: policyFindings.length,
      suppressedFindings: findings.filter((f) => f.status === 'suppressed').length,
      countryMismatches: countryMismatches.reduce((sum, m) => sum + m.sessions, 0),
      highestSeverity: highest,
    },
    incidents: sortIncidents(incidents),
    resolvedIncidents: [],
    findings,
    fallbackWindows: windows,
    policyFindings,
    coverage,
    countryMismatches,
    ipResolution,
    inputProblems: [],
    lateSessions,
    ingest: {
      files: ingest.files as number,
      linesRead: ingest.lines_read as number,
      loaded: ingest.loaded as number,
      duplicates: ingest.duplicates as number,
      rejected: ingest.rejected as number,
    } satisfies IngestAccounting,
    datacenters: policy.datacenters,
    settings: {
      maxRate: policy.fallback.maxRate,
      windowMs: policy.fallback.windowMs,
      minSessions: policy.fallback.minSessions,
      primaryTimeoutMs: policy.fallback.primaryTimeoutMs,
      incidentGapMs: policy.incidentGapMs,
      quietPeriodMs: policy.quietPeriodMs,
    },
  };
}

/**
 * Titles name the group, so two incidents of one group (split by incident_gap) would
 * share one: each then says when it began, and the id settles what is still alike.
 */
function distinctTitles(incidents: Incident[]): Incident[] {
  const count = (titles: string[], title: string) => titles.filter((t) => t === title).length;
  const first = incidents.map((i) => i.title);
  const dated = incidents.map((i, k) => (count(first, first[k]!) > 1 ? `${i.title}, from ${i.firstSeen.slice(0, 16).replace('T', ' ')} UTC` : i.title));
  return incidents.map((i, k) => ({ ...i, title: count(dated, dated[k]!) > 1 ? `${dated[k]} (${i.id})` : dated[k]! }));
}

/** Fills each finding's otherIncidentIds: the incidents other than its own that its session is in. */
export function markSharedSessions(findings: SessionFinding[]): SessionFinding[] {
  const bySession = new Map<string, Set<string>>();
  for (const f of findings) {
    if (f.incidentId === null) continue;
    const ids = bySession.get(f.sessionId) ?? new Set<string>();
    ids.add(f.incidentId);
    bySession.set(f.sessionId, ids);
  }
  return findings.map((f) => ({
    ...f,
    otherIncidentIds: [...(bySession.get(f.sessionId) ?? [])].filter((id) => id !== f.incidentId).sort(),
  }));
}

const DIFF_ORDER = ['new', 'reopened', 'ongoing'] as const;

/**
 * The findings of the policy alone (kind `policy`: a fenced datacenter on a whitelist, an
 * expired suppression), over the policy tables already loaded; `policy check` runs them too.
 */
export async function runPolicyDetections(db: Database, params: Record<string, string | number>): Promise<PolicyFinding[]> {
  const findings: PolicyFinding[] = [];
  for (const detection of detectionsOfKind('policy')) {
    const rows = await runDetection(detection, () => db.all(detection.sql, pick(params, detection.parameters)));
    findings.push(...rows.map(toPolicyFinding));
  }
  return findings;
}

/** New, then reopened, then ongoing; then severity (highest first), then sessions (most first), then last seen (newest first), then id. */
export function sortIncidents(incidents: Incident[]): Incident[] {
  return [...incidents].sort(
    (a, b) =>
      DIFF_ORDER.indexOf(a.diffStatus) - DIFF_ORDER.indexOf(b.diffStatus) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      b.sessionCount - a.sessionCount ||
      (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * The run id names the run folder: the audit window and the policy, so that a
 * re-run of the same window with the same policy replaces its folder, and
 * folders sort by window start.
 */
export function runIdFor(window: AuditWindow, policySha256: string): string {
  const stamp = (iso: string | null) => (iso === null ? 'open' : iso.replace(/[-:]/g, '').replace(/\.\d+Z$|Z$/, 'Z').replace(/00Z$/, 'Z'));
  return `${stamp(window.since)}_${stamp(window.until)}_p${policySha256.slice(0, 8)}`;
}

/** The window as audited: an open end becomes the data's own bound (whole UTC days around the sessions). */
async function effectiveWindow(db: Database, window: AuditWindow): Promise<AuditWindow> {
  if (window.since !== null && window.until !== null) return window;
  const bounds = await db.one<{ first_day: string | null; end_day: string | null }>(loadQuery('audit/session-bounds.sql'));
  return { since: window.since ?? bounds.first_day, until: window.until ?? bounds.end_day };
}

async function runDetection<T>(detection: Detection, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new QueryError(detection.id, detection.file, error);
  }
}

function stripTrailingSemicolon(sql: string): string {
  return sql.trimEnd().replace(/;$/, '');
}

function pick<T extends Record<string, string | number>>(params: T, names: readonly string[]): Record<string, string | number> {
  return Object.fromEntries(names.map((n) => [n, params[n as keyof T] as string | number]));
}

function toSessionFinding(r: Row): SessionFinding {
  return {
    rule: r.rule as string,
    severity: r.severity as Severity,
    status: r.status as SessionFinding['status'],
    incidentId: (r.incident_id as string | null) ?? null,
    sessionId: r.session_id as string,
    sessionStart: r.session_start as string,
    accountId: r.account_id as string | null,
    meetingId: r.meeting_id as string | null,
    userId: r.user_id as string | null,
    clientCountry: r.client_country as string | null,
    countrySource: r.country_source as SessionFinding['countrySource'],
    clientRegion: r.client_region as string,
    datacenter: r.dc_id as string,
    datacenterRegion: r.dc_region as string,
    traffic: r.traffic as string[],
    detail: r.detail as string,
    evidence: {
      file: r.evidence_file as string,
      line: r.evidence_line_no as number,
      ts: r.evidence_ts as string,
      datacenter: r.dc_id as string,
      outcome: r.evidence_outcome as string,
      tier: r.evidence_tier as string,
      traffic: r.evidence_traffic as string | null,
    },
    suppression: toSuppressionRef(r),
    otherIncidentIds: [],
  };
}

function toSuppressionRef(r: Row): SuppressionRef | null {
  if (r.suppression_index === null || r.suppression_index === undefined) return null;
  return { index: r.suppression_index as number, reason: r.suppression_reason as string, until: r.suppression_until as string };
}

function toFallbackWindow(r: Row): FallbackWindow {
  return {
    clientRegion: r.client_region as string,
    windowStart: r.window_start as string,
    windowEnd: r.window_end as string,
    sessions: r.sessions as number,
    connected: r.connected as number,
    viaSecondary: r.via_secondary as number,
    rate: r.rate as number | null,
    neverConnected: r.never_connected as number,
    failureRate: r.failure_rate as number,
    baselineRate: r.baseline_rate as number | null,
    flags: r.flags as FallbackWindow['flags'],
    suppression: toSuppressionRef(r),
  };
}

function toPolicyFinding(r: Row): PolicyFinding {
  return {
    id: r.id as string,
    rule: r.rule as string,
    severity: r.severity as Severity,
    path: r.path as string,
    message: r.message as string,
    clientRegion: r.client_region as string | null,
    datacenter: r.datacenter as string | null,
  };
}

type IncidentFacts = Omit<Incident, 'cause' | 'action' | 'causeFindingIds' | 'fallbackPeak' | 'title'>;

function toIncident(r: Row, catalog: LoadedPolicy['policy']['datacenters']): IncidentFacts & Pick<Incident, 'cause' | 'action' | 'causeFindingIds' | 'fallbackPeak' | 'title'> {
  const datacenters = (r.datacenters as { id: string; sessions: number }[]).map((d) => {
    const known = catalog.find((c) => c.id === d.id);
    return { id: d.id, sessions: d.sessions, country: known?.country ?? null, operator: known?.operator ?? null };
  });
  return {
    id: r.incident_id as string,
    rule: r.rule as string,
    title: '',
    severity: r.severity as Severity,
    clientRegion: r.client_region as string,
    datacenterRegion: r.dc_region as string,
    firstSeen: r.first_seen as string,
    lastSeen: r.last_seen as string,
    sessionCount: r.session_count as number,
    sessionIds: r.session_ids as string[],
    accounts: r.accounts as string[],
    meetings: r.meetings as number,
    users: r.users as number,
    clientCountries: r.client_countries as string[],
    datacenters,
    traffic: r.traffic as string[],
    keyExchangeSessions: r.key_exchange_sessions as number,
    causeFindingIds: [],
    fallbackPeak: null,
    cause: '',
    action: '',
    diffStatus: 'new',
    firstReportedAt: '',
  };
}
