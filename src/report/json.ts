/**
 * findings.json: the report for machines, schema `routeaudit/findings`
 * version 1 (docs/report-format.md).
 *
 * Each object is rebuilt field by field rather than serialised as it came, so
 * that the key order is the documented one whatever order the detection code
 * built it in; the return types make the compiler refuse a missing or an
 * unknown field when the model changes.
 */
import type {
  CatalogDatacenter,
  AuditReport,
  CountryMismatch,
  Evidence,
  FallbackPeak,
  FallbackWindow,
  Incident,
  InputProblem,
  IpResolution,
  LateSession,
  PolicyFinding,
  RegionCoverage,
  ResolvedIncident,
  RunMetadata,
  SessionFinding,
  SuppressionRef,
  Verdict,
} from '../detect/model.js';
import { MappedArray, prettyJsonChunks } from './json-chunks.js';

export const FINDINGS_SCHEMA = 'routeaudit/findings';

export function renderFindingsJson(report: AuditReport): string {
  return [...findingsJsonChunks(report)].join('');
}

/** findings.json in pieces, for writing it without holding it whole: the session findings are rebuilt one by one as they are written. */
export function findingsJsonChunks(report: AuditReport): Generator<string> {
  return prettyJsonChunks({
    schema: FINDINGS_SCHEMA,
    schemaVersion: report.schemaVersion,
    run: run(report.run),
    verdict: verdict(report.verdict),
    settings: {
      maxRate: report.settings.maxRate,
      windowMs: report.settings.windowMs,
      minSessions: report.settings.minSessions,
      primaryTimeoutMs: report.settings.primaryTimeoutMs,
      incidentGapMs: report.settings.incidentGapMs,
      quietPeriodMs: report.settings.quietPeriodMs,
    } satisfies AuditReport['settings'],
    incidents: report.incidents.map(incident),
    resolvedIncidents: report.resolvedIncidents.map(resolvedIncident),
    findings: new MappedArray(report.findings, sessionFinding),
    fallbackWindows: report.fallbackWindows.map(fallbackWindow),
    policyFindings: report.policyFindings.map(policyFinding),
    coverage: report.coverage.map(coverage),
    notAssessable: report.notAssessable.map((entry) => ({ rule: entry.rule, needs: entry.needs, sessions: entry.sessions, sources: [...entry.sources] })),
    countryMismatches: report.countryMismatches.map(countryMismatch),
    ipResolution: report.ipResolution.map(ipResolution),
    inputProblems: report.inputProblems.map(inputProblem),
    lateSessions: report.lateSessions.map(lateSession),
    ingest: {
      files: report.ingest.files,
      linesRead: report.ingest.linesRead,
      loaded: report.ingest.loaded,
      duplicates: report.ingest.duplicates,
      rejected: report.ingest.rejected,
    } satisfies AuditReport['ingest'],
    datacenters: report.datacenters.map(datacenter),
  });
}

function run(value: RunMetadata): RunMetadata {
  return {
    runId: value.runId,
    generatedAt: value.generatedAt,
    since: value.since,
    until: value.until,
    policyFile: value.policyFile,
    policySha256: value.policySha256,
    database: value.database,
    toolVersion: value.toolVersion,
    previousRunId: value.previousRunId,
    lateAfterFileId: value.lateAfterFileId,
    geo: value.geo === null ? null : { source: value.geo.source, version: value.geo.version, licence: value.geo.licence },
  };
}

function verdict(value: Verdict): Verdict {
  return {
    status: value.status,
    newIncidents: value.newIncidents,
    ongoingIncidents: value.ongoingIncidents,
    reopenedIncidents: value.reopenedIncidents,
    resolvedIncidents: value.resolvedIncidents,
    incidentSessions: value.incidentSessions,
    inputProblems: value.inputProblems,
    flaggedFallbackWindows: value.flaggedFallbackWindows,
    policyFindings: value.policyFindings,
    suppressedFindings: value.suppressedFindings,
    countryMismatches: value.countryMismatches,
    highestSeverity: value.highestSeverity,
  };
}

function incident(value: Incident): Incident {
  return {
    id: value.id,
    diffStatus: value.diffStatus,
    rule: value.rule,
    title: value.title,
    summary: value.summary,
    severity: value.severity,
    clientRegion: value.clientRegion,
    datacenterRegion: value.datacenterRegion,
    firstSeen: value.firstSeen,
    lastSeen: value.lastSeen,
    sessionCount: value.sessionCount,
    sessionIds: value.sessionIds,
    accounts: value.accounts,
    meetings: value.meetings,
    users: value.users,
    clientCountries: value.clientCountries,
    datacenters: value.datacenters.map((entry) => ({
      id: entry.id,
      country: entry.country,
      operator: entry.operator,
      sessions: entry.sessions,
      placedBy: entry.placedBy,
    })),
    traffic: value.traffic,
    keyExchangeSessions: value.keyExchangeSessions,
    causeFindingIds: value.causeFindingIds,
    fallbackPeak: value.fallbackPeak === null ? null : fallbackPeak(value.fallbackPeak),
    cause: value.cause,
    action: value.action,
    firstReportedAt: value.firstReportedAt,
  };
}

function fallbackPeak(value: FallbackPeak): FallbackPeak {
  return { windowStart: value.windowStart, rate: value.rate, baselineRate: value.baselineRate, flagged: value.flagged };
}

function resolvedIncident(value: ResolvedIncident): ResolvedIncident {
  return {
    id: value.id,
    rule: value.rule,
    severity: value.severity,
    clientRegion: value.clientRegion,
    datacenterRegion: value.datacenterRegion,
    firstSeen: value.firstSeen,
    lastSeen: value.lastSeen,
    sessionCount: value.sessionCount,
    resolution: value.resolution,
    reason: value.reason,
    firstReportedAt: value.firstReportedAt,
  };
}

function sessionFinding(value: SessionFinding): SessionFinding {
  return {
    rule: value.rule,
    severity: value.severity,
    status: value.status,
    incidentId: value.incidentId,
    sessionId: value.sessionId,
    sessionStart: value.sessionStart,
    accountId: value.accountId,
    meetingId: value.meetingId,
    userId: value.userId,
    clientCountry: value.clientCountry,
    countrySource: value.countrySource,
    clientRegion: value.clientRegion,
    datacenter: value.datacenter,
    datacenterRegion: value.datacenterRegion,
    traffic: value.traffic,
    detail: value.detail,
    evidence: evidence(value.evidence),
    suppression: value.suppression === null ? null : suppression(value.suppression),
    otherIncidentIds: value.otherIncidentIds,
  };
}

function evidence(value: Evidence): Evidence {
  return {
    file: value.file,
    line: value.line,
    ts: value.ts,
    datacenter: value.datacenter,
    loggedDatacenter: value.loggedDatacenter,
    loggedAddress: value.loggedAddress,
    placedBy: value.placedBy,
    outcome: value.outcome,
    tier: value.tier,
    traffic: value.traffic,
  };
}

function suppression(value: SuppressionRef): SuppressionRef {
  return { index: value.index, reason: value.reason, until: value.until };
}

function fallbackWindow(value: FallbackWindow): FallbackWindow {
  return {
    rule: value.rule,
    severity: value.severity,
    clientRegion: value.clientRegion,
    windowStart: value.windowStart,
    windowEnd: value.windowEnd,
    sessions: value.sessions,
    connected: value.connected,
    viaSecondary: value.viaSecondary,
    rate: value.rate,
    neverConnected: value.neverConnected,
    failureRate: value.failureRate,
    baselineRate: value.baselineRate,
    flags: value.flags,
    suppression: value.suppression === null ? null : suppression(value.suppression),
  };
}

function policyFinding(value: PolicyFinding): PolicyFinding {
  return {
    id: value.id,
    rule: value.rule,
    severity: value.severity,
    path: value.path,
    message: value.message,
    clientRegion: value.clientRegion,
    datacenter: value.datacenter,
  };
}

function coverage(value: RegionCoverage): RegionCoverage {
  return {
    clientRegion: value.clientRegion,
    sessions: value.sessions,
    connected: value.connected,
    neverConnected: value.neverConnected,
    fencedRegionSessions: value.fencedRegionSessions,
    countryFromNetwork: value.countryFromNetwork,
    countryFromIp: value.countryFromIp,
    ipWithoutCountry: value.ipWithoutCountry,
  };
}

function countryMismatch(value: CountryMismatch): CountryMismatch {
  return { rule: value.rule, severity: value.severity, declared: value.declared, resolved: value.resolved, sessions: value.sessions };
}

function ipResolution(value: IpResolution): IpResolution {
  return { status: value.status, sessions: value.sessions, addresses: value.addresses };
}

function inputProblem(value: InputProblem): InputProblem {
  return { kind: value.kind, file: value.file, reason: value.reason, linesRead: value.linesRead, rejected: value.rejected };
}

function lateSession(value: LateSession): LateSession {
  return { sessionId: value.sessionId, sessionStart: value.sessionStart, files: value.files };
}

function datacenter(value: CatalogDatacenter): CatalogDatacenter {
  return { id: value.id, country: value.country, operator: value.operator, region: value.region };
}
