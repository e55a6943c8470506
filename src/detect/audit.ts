/**
 * Runs an audit over the database: policy tables, sessions (derived once),
 * every detection in queries/detections, findings, incidents, fallback windows
 * and coverage; then explains each incident from the policy. The result is
 * the AuditReport that every reporter renders. The run-to-run diff is applied
 * afterwards (history.ts), because it needs the database's earlier runs.
 */
import { varcharList, type Database } from '../db/database.js';
import { ShapeError, type RowOf } from '../db/shape.js';
import { QueryError } from '../errors.js';
import { describeGeo, type GeoSource } from '../geo/source.js';
import { prepareStore } from '../ingest/ingester.js';
import { loadPolicyTables } from '../policy/tables.js';
import type { LoadedPolicy } from '../policy/types.js';
import { loadQuery, queryRow, queryRows } from '../queries.js';
import { TOOL_VERSION } from '../version.js';
import { explainIncident } from './cause.js';
import type {
  AuditReport,
  CountryMismatch,
  Evidence,
  FallbackWindow,
  Incident,
  IngestAccounting,
  IpResolution,
  LateSession,
  NotAssessable,
  PolicyFinding,
  RegionCoverage,
  SessionFinding,
  Severity,
  SuppressionRef,
} from './model.js';
import { PLACEMENTS, highestSeverity, severityRank } from './model.js';
import { loadRegistry, type Detection, type Registry } from './registry.js';
import { deriveSessions, type SessionSource } from './sessions.js';
import {
  COUNTRY_MISMATCH_ROW,
  COVERAGE_ROW,
  FINDING_ROW,
  INCIDENT_ROW,
  INGEST_TOTALS_ROW,
  IP_RESOLUTION_ROW,
  LATE_SESSION_ROW,
  NOT_ASSESSABLE_ROW,
  POLICY_RULE_ROW,
  RAISED_SESSION_RULE_ROW,
  SESSION_BOUNDS_ROW,
  SESSION_RULE_ROW,
  WINDOW_RULE_ROW,
} from './shapes.js';

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
  /** The rules to run; absent: those of queries/detections/. */
  registry?: Registry;
  /** Where the session steps read the attempts; absent: the local tables (src/detect/sessions.ts). */
  sessions?: SessionSource;
}

type Params = Record<string, string | number>;

export async function runAudit(db: Database, options: AuditOptions): Promise<AuditReport> {
  const { policy } = options.policy;
  await prepareStore(db);
  await loadPolicyTables(db, policy);
  const lookbackStart = options.window.since === null ? null : new Date(Date.parse(options.window.since) - BASELINE_DAYS * 86_400_000).toISOString();
  const lateAfterFileId = options.lateAfterFileId ?? null;
  const registry = options.registry ?? loadRegistry();
  await deriveSessions(
    db,
    { since: options.window.since, until: options.window.until, lookbackStart, lateAfterFileId, rulesNeedingRoutineAttempts: registry.needingRoutineAttempts().map((d) => d.id) },
    options.geo ?? null,
    options.sessions,
  );

  const params = {
    primary_timeout_ms: policy.fallback.primaryTimeoutMs,
    window_ms: policy.fallback.windowMs,
    max_rate: policy.fallback.maxRate,
    min_sessions: policy.fallback.minSessions,
    baseline_days: BASELINE_DAYS,
    now: options.now.toISOString(),
  };

  await db.run(loadQuery('audit/raw-findings.sql'));
  for (const detection of registry.ofKind('session')) await fileSessionFindings(db, detection, params);
  await db.run(loadQuery('audit/findings.sql'));
  await db.runScript(loadQuery('audit/incidents.sql'), {
    incident_gap_ms: policy.incidentGapMs,
    summarised_rules: varcharList(registry.grouped('country-pairs')),
  });

  const windows: FallbackWindow[] = [];
  for (const detection of registry.ofKind('window')) {
    const rows = await runDetection(detection, () => db.rows(WINDOW_RULE_ROW, detection.file, detection.sql, bindFor(detection, params), true));
    windows.push(...rows.map((row) => toFallbackWindow(row, detection)));
  }
  const policyFindings = await runPolicyDetections(db, params, registry);
  const notAssessable = notAssessableRules(registry, await queryRows(db, NOT_ASSESSABLE_ROW, 'audit/not-assessable.sql'));
  const coverage = (await queryRows(db, COVERAGE_ROW, 'audit/coverage.sql')).map(
    (r): RegionCoverage => ({
      clientRegion: r.client_region,
      sessions: r.sessions,
      connected: r.connected,
      neverConnected: r.never_connected,
      fencedRegionSessions: r.fenced_region_sessions,
      countryFromIp: r.country_from_ip,
      countryFromNetwork: r.country_from_network,
      ipWithoutCountry: r.ip_without_country,
    }),
  );
  const countryMismatches = (
    await queryRows(db, COUNTRY_MISMATCH_ROW, 'audit/country-mismatches.sql', { country_pair_rules: varcharList(registry.grouped('country-pairs')) })
  ).map((r): CountryMismatch => ({ rule: r.rule, severity: severityOf(registry, r.rule), declared: r.declared, resolved: r.resolved, sessions: r.sessions }));
  const ipResolution = (await queryRows(db, IP_RESOLUTION_ROW, 'audit/ip-resolution.sql')).map(
    (r): IpResolution => ({ status: r.status, sessions: r.sessions, addresses: r.addresses }),
  );
  const ingest = await queryRow(db, INGEST_TOTALS_ROW, 'audit/ingest-totals.sql');
  const window = await effectiveWindow(db, options.window);
  const lateSessions =
    lateAfterFileId === null
      ? []
      : (await queryRows(db, LATE_SESSION_ROW, 'audit/late-sessions.sql', { late_after_file_id: lateAfterFileId })).map(
          (r): LateSession => ({ sessionId: r.session_id, sessionStart: r.session_start, files: r.files }),
        );
  // Sessions and attempts are done with: their memory goes back before the findings, which
  // grow with the logs, are read into JavaScript (docs/performance.md, Memory).
  await db.runScript(loadQuery('audit/release-sessions.sql'));
  const findings = markSharedSessions((await queryRows(db, FINDING_ROW, 'audit/finding-rows.sql')).map(toSessionFinding));

  const incidents = distinctTitles(
    (await queryRows(db, INCIDENT_ROW, 'audit/incident-rows.sql')).map((row) => {
      const base = toIncident(row, policy.datacenters);
      const detection = registry.find(base.rule);
      if (detection === undefined) throw new Error(`incident ${base.id} is of rule ${base.rule}, which the registry does not have`);
      return { ...base, ...explainIncident(base, detection, { policy, policyFindings, windows }), firstReportedAt: options.now.toISOString() };
    }),
  );
  await db.runScript(loadQuery('audit/release-findings.sql'));
  const flaggedWindows = windows.filter((w) => w.flags.length > 0 && w.suppression === null).length;
  const highest = highestSeverity([
    ...findings.filter((f) => f.status === 'active').map((f) => f.severity),
    ...windows.filter((w) => w.flags.length > 0 && w.suppression === null).map((w) => w.severity),
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
    notAssessable,
    countryMismatches,
    ipResolution,
    inputProblems: [],
    lateSessions,
    ingest: {
      files: ingest.files,
      linesRead: ingest.lines_read,
      loaded: ingest.loaded,
      duplicates: ingest.duplicates,
      rejected: ingest.rejected,
    } satisfies IngestAccounting,
    datacenters: policy.datacenters.map(({ id, country, operator, region }) => ({ id, country, operator, region })),
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
export async function runPolicyDetections(db: Database, params: Params, registry: Registry = loadRegistry()): Promise<PolicyFinding[]> {
  const findings: PolicyFinding[] = [];
  for (const detection of registry.ofKind('policy')) {
    const rows = await runDetection(detection, () => db.rows(POLICY_RULE_ROW, detection.file, detection.sql, bindFor(detection, params), true));
    findings.push(...rows.map((row) => toPolicyFinding(row, detection)));
  }
  return findings;
}

/**
 * Files one session rule's rows as findings, with the rule's id and severity from its
 * header (queries/audit/file-rule-findings.sql), after checking that the rows have
 * exactly the shape of a session rule.
 */
async function fileSessionFindings(db: Database, detection: Detection, params: Params): Promise<void> {
  await runDetection(detection, async () => {
    await db.runScript(`CREATE OR REPLACE TEMP TABLE audit_rule_rows AS (${stripTrailingSemicolon(detection.sql)})`, bindFor(detection, params));
    await db.rows(detection.raised === null ? SESSION_RULE_ROW : RAISED_SESSION_RULE_ROW, detection.file, loadQuery('audit/rule-rows-shape.sql'), undefined, true);
    if (detection.needs.length > 0) await db.run(loadQuery('audit/drop-unassessable.sql'), { needs: varcharList(detection.needs) });
    await db.runScript(loadQuery('audit/file-rule-findings.sql'), {
      rule: detection.id,
      severity: detection.severity,
      raised_severity: detection.raised?.severity ?? detection.severity,
    });
  });
}

/** Per rule that needs what some sources of the window cannot show: how many sessions it did not judge, and which sources. */
function notAssessableRules(registry: Registry, rows: RowOf<typeof NOT_ASSESSABLE_ROW.columns>[]): NotAssessable[] {
  return registry.detections.flatMap((detection) =>
    detection.needs.flatMap((need) => {
      const row = rows.find((r) => r.capability === need);
      return row === undefined ? [] : [{ rule: detection.id, needs: need, sessions: row.sessions, sources: row.sources }];
    }),
  );
}

function severityOf(registry: Registry, rule: string): Severity {
  const detection = registry.find(rule);
  if (detection === undefined) throw new Error(`a finding of rule ${rule}, which the registry does not have`);
  return detection.severity;
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
  const bounds = await queryRow(db, SESSION_BOUNDS_ROW, 'audit/session-bounds.sql');
  return { since: window.since ?? bounds.first_day, until: window.until ?? bounds.end_day };
}

async function runDetection<T>(detection: Detection, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // A result of the wrong shape already names the file and each column.
    if (error instanceof ShapeError) throw error;
    throw new QueryError(detection.id, detection.file, error);
  }
}

function stripTrailingSemicolon(sql: string): string {
  return sql.trimEnd().replace(/;$/, '');
}

/** The parameters a detection declares, and its own id as $rule (every detection may use it). */
function bindFor(detection: Detection, params: Params): Params {
  const bound: Params = {};
  for (const name of detection.parameters) {
    const value = params[name];
    if (value === undefined) throw new Error(`${detection.file} declares $${name}, which the audit does not provide`);
    bound[name] = value;
  }
  if (/\$rule\b/.test(detection.sql)) bound.rule = detection.id;
  return bound;
}

function toSessionFinding(r: RowOf<typeof FINDING_ROW.columns>): SessionFinding {
  return {
    rule: r.rule,
    severity: r.severity as Severity,
    status: r.status as SessionFinding['status'],
    incidentId: r.incident_id,
    sessionId: r.session_id,
    sessionStart: r.session_start,
    accountId: r.account_id,
    meetingId: r.meeting_id,
    userId: r.user_id,
    clientCountry: r.client_country,
    countrySource: r.country_source as SessionFinding['countrySource'],
    clientRegion: r.client_region,
    datacenter: r.dc_id,
    datacenterRegion: r.dc_region,
    traffic: r.traffic,
    detail: r.detail,
    evidence: {
      file: r.evidence_file,
      line: r.evidence_line_no,
      ts: r.evidence_ts,
      datacenter: r.dc_id,
      loggedDatacenter: r.evidence_logged_dc_id,
      loggedAddress: r.evidence_dc_ip,
      placedBy: r.evidence_placed_by as Evidence['placedBy'],
      outcome: r.evidence_outcome,
      tier: r.evidence_tier,
      traffic: r.evidence_traffic,
    },
    suppression: toSuppressionRef(r),
    otherIncidentIds: [],
  };
}

function toSuppressionRef(r: { suppression_index: number | null; suppression_reason: string | null; suppression_until: string | null }): SuppressionRef | null {
  if (r.suppression_index === null) return null;
  return { index: r.suppression_index, reason: r.suppression_reason ?? '', until: r.suppression_until ?? '' };
}

function toFallbackWindow(r: RowOf<typeof WINDOW_RULE_ROW.columns>, detection: Detection): FallbackWindow {
  return {
    rule: detection.id,
    severity: detection.severity,
    clientRegion: r.client_region,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    sessions: r.sessions,
    connected: r.connected,
    viaSecondary: r.via_secondary,
    rate: r.rate,
    neverConnected: r.never_connected,
    failureRate: r.failure_rate,
    baselineRate: r.baseline_rate,
    flags: r.flags as FallbackWindow['flags'],
    suppression: toSuppressionRef(r),
  };
}

function toPolicyFinding(r: RowOf<typeof POLICY_RULE_ROW.columns>, detection: Detection): PolicyFinding {
  return {
    id: r.id,
    rule: detection.id,
    severity: detection.severity,
    path: r.path,
    message: r.message,
    clientRegion: r.client_region,
    datacenter: r.datacenter,
  };
}

type IncidentFacts = Omit<Incident, 'cause' | 'action' | 'causeFindingIds' | 'fallbackPeak' | 'title' | 'summary'>;

function toIncident(r: RowOf<typeof INCIDENT_ROW.columns>, catalog: LoadedPolicy['policy']['datacenters']): IncidentFacts {
  const datacenters = (r.datacenters as { id: string; sessions: number; placed_by: string[]; country: string | null }[]).map((d) => {
    const known = catalog.find((c) => c.id === d.id);
    // The catalog's country is the policy's word; the row's is the geo database's for one outside it.
    return {
      id: d.id,
      sessions: d.sessions,
      country: known?.country ?? d.country,
      operator: known?.operator ?? null,
      placedBy: PLACEMENTS.filter((placement) => d.placed_by.includes(placement)),
    };
  });
  return {
    id: r.incident_id,
    rule: r.rule,
    severity: r.severity as Severity,
    clientRegion: r.client_region,
    datacenterRegion: r.dc_region,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    sessionCount: r.session_count,
    sessionIds: r.session_ids,
    accounts: r.accounts,
    meetings: r.meetings,
    users: r.users,
    clientCountries: r.client_countries,
    datacenters,
    traffic: r.traffic,
    keyExchangeSessions: r.key_exchange_sessions,
    diffStatus: 'new',
    firstReportedAt: '',
  };
}
