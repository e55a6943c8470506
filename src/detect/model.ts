/**
 * What an audit produces: the contract between detection (src/detect) and the
 * reporters (src/report). Every timestamp is an ISO-8601 UTC string; every list
 * is in a stable order (documented per field) so that reports diff cleanly.
 */
import type { GeoDatabase } from '../geo/source.js';
import type { Datacenter } from '../policy/types.js';

/** A datacenter of the policy's catalog, as the reports show it. */
export type CatalogDatacenter = Pick<Datacenter, 'id' | 'country' | 'operator' | 'region'>;

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** The highest of some severities; null for none. */
export function highestSeverity(severities: readonly Severity[]): Severity | null {
  return severities.reduce<Severity | null>(
    (highest, severity) => (highest === null || severityRank(severity) > severityRank(highest) ? severity : highest),
    null,
  );
}

/**
 * How an attempt's datacenter was placed (docs/detections.md): by a catalog datacenter's `id`,
 * by one of its `names`, by its address in a datacenter's `networks`, or (a destination not in
 * the catalog) by the geo database's country for its address.
 */
export const PLACEMENTS = ['id', 'name', 'network', 'geo'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** Where a finding came from in the logs: the attempt that made the session a finding. */
export interface Evidence {
  file: string;
  line: number;
  ts: string;
  /** The catalog datacenter the attempt was placed at (else the string as logged). */
  datacenter: string;
  /** The datacenter as the log line names it. */
  loggedDatacenter: string;
  /** The datacenter's address as the log line gives it (dc_ip); null when it gives none. */
  loggedAddress: string | null;
  /** How the datacenter was placed; null when nothing placed it (not in the catalog, and no country from its address). */
  placedBy: Placement | null;
  outcome: string;
  tier: string;
  traffic: string | null;
}

export interface SuppressionRef {
  /** Index in the policy's `suppressions` list. */
  index: number;
  reason: string;
  until: string;
}

/** One session that broke one rule. Sorted by session start, then rule, then session id. */
export interface SessionFinding {
  rule: string;
  severity: Severity;
  status: 'active' | 'suppressed';
  /** The incident it belongs to; null for suppressed findings (incidents group active ones) and for rules grouped by country pairs. */
  incidentId: string | null;
  sessionId: string;
  sessionStart: string;
  accountId: string | null;
  meetingId: string | null;
  userId: string | null;
  clientCountry: string | null;
  /** Where the client country came from: the logs' client_country, the policy's client_networks, the geo lookup of client_ip, or nowhere. */
  countrySource: 'declared' | 'network' | 'ip' | null;
  /** A region id, or `unknown` (no country) or `unmapped` (no region lists the country). */
  clientRegion: string;
  /** The datacenter that made the session a finding. */
  datacenter: string;
  /**
   * Its region; for a datacenter not in the catalog, the region of the geo database's country
   * for its address (`unmapped` when no region lists it), else `unknown`.
   */
  datacenterRegion: string;
  /** Traffic types seen on the session's attempts to that datacenter, sorted. */
  traffic: string[];
  /** One sentence: why this session is a finding. */
  detail: string;
  evidence: Evidence;
  suppression: SuppressionRef | null;
  /** The other incidents this session is in (by another rule or datacenter region), sorted; empty for most. */
  otherIncidentIds: string[];
}

/**
 * From the incident ledger (docs/nightly.md): new (never reported before), ongoing (reported
 * before and still open), reopened (reported before, resolved since, and found again).
 */
export type DiffStatus = 'new' | 'ongoing' | 'reopened';

export interface FallbackPeak {
  windowStart: string;
  rate: number;
  baselineRate: number | null;
  /** Whether that window was flagged (over max_rate or far above the baseline). */
  flagged: boolean;
}

/** Active session findings of one rule, grouped by (rule, client region, datacenter region) and time gaps. */
export interface Incident {
  /** Stable: a fingerprint of rule, group key and first session start. */
  id: string;
  rule: string;
  title: string;
  severity: Severity;
  clientRegion: string;
  datacenterRegion: string;
  firstSeen: string;
  lastSeen: string;
  sessionCount: number;
  /** Sorted session ids. */
  sessionIds: string[];
  accounts: string[];
  meetings: number;
  users: number;
  clientCountries: string[];
  /**
   * Datacenters that made sessions findings, with catalog details where known (for one outside
   * the catalog, country is the geo database's for its address, or null), and how their
   * sessions' evidence lines were placed (in PLACEMENTS order; empty when nothing placed them).
   */
  datacenters: { id: string; country: string | null; operator: string | null; sessions: number; placedBy: Placement[] }[];
  traffic: string[];
  /** Sessions of the incident with key-exchange traffic to the offending datacenter. */
  keyExchangeSessions: number;
  /** Ids of policy findings that explain the incident (e.g. the whitelist entry). */
  causeFindingIds: string[];
  /** The client region's highest fallback window during the incident, when flagged or above max_rate; else null. */
  fallbackPeak: FallbackPeak | null;
  /** One sentence: what happened, in numbers. */
  summary: string;
  /** Plain-language probable cause and what to do. */
  cause: string;
  action: string;
  diffStatus: DiffStatus;
  /** When a run first reported it (its generatedAt), from the ledger; this run's own time when new. */
  firstReportedAt: string;
}

/** A finding from the policy alone (no logs), e.g. a fenced datacenter on a whitelist. */
export interface PolicyFinding {
  /** Stable: `W-` + fingerprint for whitelist findings, `S-` for suppressions. */
  id: string;
  rule: string;
  severity: Severity;
  /** Path into the policy file, e.g. `routing.US.secondary[2]`. */
  path: string;
  message: string;
  clientRegion: string | null;
  datacenter: string | null;
}

/** Share of sessions via secondary datacenters, per client region and UTC-aligned window. Sorted by rule, then region, then window start. */
export interface FallbackWindow {
  /** The window rule that rated it (kind `window`: fallback-rate). */
  rule: string;
  /** That rule's severity, for a flagged window. */
  severity: Severity;
  clientRegion: string;
  windowStart: string;
  windowEnd: string;
  /** Sessions that started in the window. */
  sessions: number;
  /** Of them, sessions with at least one connected attempt. */
  connected: number;
  /** Of the connected, those whose last connected attempt was tier `secondary`. */
  viaSecondary: number;
  /** viaSecondary / connected; null when nothing connected. */
  rate: number | null;
  neverConnected: number;
  /** neverConnected / sessions. */
  failureRate: number;
  /** The region's trailing baseline rate (see docs/detections.md); null without history. */
  baselineRate: number | null;
  /** Why the window is flagged: over `max_rate`, far above the baseline, or both; empty when not flagged. */
  flags: ('max-rate' | 'baseline')[];
  /** A flagged window covered by a fallback-rate suppression is reported, but not as active. */
  suppression: SuppressionRef | null;
}

/** How many sessions each client region had in the window, so that no session is invisible. */
export interface RegionCoverage {
  clientRegion: string;
  sessions: number;
  connected: number;
  neverConnected: number;
  /** Sessions connected to a datacenter in some fence's datacenter_regions, whether or not a fence admits their region. */
  fencedRegionSessions: number;
  /** Sessions without a declared client_country whose country came from the geo lookup of their client_ip. */
  countryFromIp: number;
  /** Placed by the policy's client_networks (office ranges), having declared no country. */
  countryFromNetwork: number;
  /** Sessions whose first client_ip gave no country (invalid, special-purpose, not in the database). */
  ipWithoutCountry: number;
}

/** Sessions whose declared client_country differs from their address's country, per rule and pair. Sorted by sessions (most first), then declared, then resolved, then rule. */
export interface CountryMismatch {
  /** The rule summarised by country pairs (its header says `grouping: country-pairs`): country-mismatch. */
  rule: string;
  severity: Severity;
  /** The declared client_country; it decides the client region. */
  declared: string;
  /** The country of the session's first client_ip in the geo database. */
  resolved: string;
  /** Active country-mismatch findings (suppressed ones are listed with the suppressed findings). */
  sessions: number;
}

/**
 * How the first client_ip of the window's sessions resolved, per outcome: `resolved`,
 * a special-purpose block's reason (`private`, `loopback`, `documentation`, ...),
 * `invalid`, `not-in-database`, `not-looked-up` (no geo database), `no-address`.
 * In that order; the sessions add up to all sessions in the window.
 */
export interface IpResolution {
  status: string;
  sessions: number;
  /** Distinct address texts. */
  addresses: number;
}

export interface IngestAccounting {
  files: number;
  linesRead: number;
  loaded: number;
  duplicates: number;
  rejected: number;
}

/** Why the ledger closed an incident (docs/detections.md, Resolution). */
export type Resolution = 'cause-removed' | 'quiet-period' | 'no-longer-found';

export interface ResolvedIncident {
  id: string;
  rule: string;
  /** The severity the incident had when a run last reported it. */
  severity: Severity;
  clientRegion: string;
  datacenterRegion: string;
  firstSeen: string;
  lastSeen: string;
  sessionCount: number;
  resolution: Resolution;
  /** One sentence: what shows the cause is gone. */
  reason: string;
  firstReportedAt: string;
}

/**
 * An input the run could not audit in full: a file that failed to load, a file whose
 * every line was rejected, or no session at all in the audited window. Any of them
 * makes the verdict `incomplete`.
 */
export interface InputProblem {
  /** source-gap: records by which the source itself says others are missing (VPC SKIPDATA). */
  kind: 'failed' | 'all-rejected' | 'no-data' | 'source-gap';
  /** The file as named on the command line; null for `no-data`. */
  file: string | null;
  reason: string;
  linesRead: number;
  rejected: number;
}

/** A session audited by arrival: it started before the window, and a record of it arrived since the last nightly run. */
export interface LateSession {
  sessionId: string;
  sessionStart: string;
  /** The files, ingested since that run, that hold its records; sorted. */
  files: string[];
}

export interface RunMetadata {
  runId: string;
  /** When the run happened (the clock passed in). */
  generatedAt: string;
  /** The audit window [since, until); sessions belong to it by their start. */
  since: string | null;
  until: string | null;
  policyFile: string;
  policySha256: string;
  database: string;
  toolVersion: string;
  previousRunId: string | null;
  /**
   * nightly only: sessions with a record in a file ingested after this file id were
   * audited whatever their start (the watermark of the last nightly run); null otherwise.
   */
  lateAfterFileId: number | null;
  /** The geo database that resolved client_ip, with its version and licence; null when the run used none (--no-geo). */
  geo: GeoDatabase | null;
}

export interface Verdict {
  /** `incomplete` whenever an input problem exists, whatever else was found: such a run never reads clean. */
  status: 'clean' | 'findings' | 'incomplete';
  newIncidents: number;
  ongoingIncidents: number;
  reopenedIncidents: number;
  resolvedIncidents: number;
  /** Distinct sessions over all incidents: one session can be in several. */
  incidentSessions: number;
  inputProblems: number;
  flaggedFallbackWindows: number;
  policyFindings: number;
  suppressedFindings: number;
  /** Active country-mismatch findings (sessions), summarised in AuditReport.countryMismatches. */
  countryMismatches: number;
  /** Highest severity among active findings (session, fallback and policy), null when clean. */
  highestSeverity: Severity | null;
}

/** A rule that judged none of `sessions` sessions in the window: their sources (`sources`) lack `needs`. */
export interface NotAssessable {
  rule: string;
  needs: string;
  sessions: number;
  sources: string[];
}

export interface AuditReport {
  schemaVersion: 1;
  run: RunMetadata;
  verdict: Verdict;
  /** Sorted: new before ongoing, then severity (highest first), then sessions (most first), then last seen (newest first), then id. Findings of rules grouped by country pairs (country-mismatch) are not grouped into incidents. */
  incidents: Incident[];
  resolvedIncidents: ResolvedIncident[];
  /** Active and suppressed session findings. */
  findings: SessionFinding[];
  fallbackWindows: FallbackWindow[];
  policyFindings: PolicyFinding[];
  coverage: RegionCoverage[];
  /** Rules that did not judge some sessions of the window: their sources cannot show what the rule needs (docs/sources.md). */
  notAssessable: NotAssessable[];
  /** Active country-mismatch findings per (declared, resolved) pair. */
  countryMismatches: CountryMismatch[];
  ipResolution: IpResolution[];
  /** Files that failed or were wholly rejected in this run's ingest, and a window without data. */
  inputProblems: InputProblem[];
  /** Sessions before the window audited because their records arrived late (nightly); sorted by start, then id. */
  lateSessions: LateSession[];
  /** Totals over everything in the database, and over the sessions in the window. */
  ingest: IngestAccounting;
  /** The policy's datacenter catalog, for the "where" of each incident. */
  datacenters: CatalogDatacenter[];
  /** Settings the reports quote. */
  settings: { maxRate: number; windowMs: number; minSessions: number; primaryTimeoutMs: number; incidentGapMs: number; quietPeriodMs: number };
}
