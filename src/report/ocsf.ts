/**
 * findings.ocsf.json: the findings as OCSF 1.1.0 events for a SIEM or a
 * security lake (mapping in docs/report-format.md). Attribute requirements
 * follow the schema at tag v1.1.0 of github.com/ocsf/ocsf-schema.
 *
 * One Compliance Finding (2003) per incident rather than per session: an
 * incident is what someone triages, and a SIEM would otherwise receive
 * thousands of events for one misconfiguration. The session ids travel in
 * `unmapped.routeaudit.session_ids`; affected-sessions.csv has one row each.
 *
 * Deterministic: `time` is the run's clock (`run.generatedAt`), never now.
 */
import { highestSeverity, type AuditReport, type CountryMismatch, type FallbackWindow, type Incident, type InputProblem, type PolicyFinding, type ResolvedIncident, type Severity } from '../detect/model.js';
import { flagsText, formatPercent, formatUtcMinute, isFlagged, suppressedGroups, whatHappened, type SuppressedGroup } from './summary.js';
import { prettyJsonChunks } from './json-chunks.js';

export const OCSF_VERSION = '1.1.0';

const FINDINGS_CATEGORY_UID = 2;
const COMPLIANCE_FINDING = { uid: 2003, name: 'Compliance Finding' } as const;
const DETECTION_FINDING = { uid: 2004, name: 'Detection Finding' } as const;

const ACTIVITY = {
  create: { id: 1, name: 'Create' },
  update: { id: 2, name: 'Update' },
  close: { id: 3, name: 'Close' },
} as const;

const FINDING_STATUS = {
  new: { id: 1, name: 'New' },
  suppressed: { id: 3, name: 'Suppressed' },
  resolved: { id: 4, name: 'Resolved' },
} as const;

const COMPLIANCE_STATUS = {
  pass: { id: 1, name: 'Pass' },
  warning: { id: 2, name: 'Warning' },
  fail: { id: 3, name: 'Fail' },
} as const;

const SEVERITY_IDS: Record<Severity, { id: number; name: string }> = {
  low: { id: 2, name: 'Low' },
  medium: { id: 3, name: 'Medium' },
  high: { id: 4, name: 'High' },
  critical: { id: 5, name: 'Critical' },
};


/** What every routeaudit compliance check is checked against. */
const STANDARD = 'routeaudit routing policy';

export interface OcsfEvent {
  activity_id: number;
  activity_name: string;
  category_uid: number;
  category_name: string;
  class_uid: number;
  class_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  time: number;
  timezone_offset: number;
  start_time: number;
  end_time: number;
  count: number;
  message: string;
  metadata: {
    correlation_uid: string;
    product: { name: string; vendor_name: string; version: string };
    version: string;
  };
  finding_info: {
    uid: string;
    title: string;
    desc: string;
    first_seen_time: number;
    last_seen_time: number;
    types: string[];
  };
  compliance?: { standards: string[]; control: string; requirements?: string[]; status_id: number; status: string; status_detail: string };
  remediation?: { desc: string };
  /** routeaudit's own fields, under one key so that they never collide with a consumer's. */
  unmapped: { routeaudit: Record<string, unknown> };
}

export function renderOcsf(report: AuditReport): string {
  return [...ocsfChunks(report)].join('');
}

/** findings.ocsf.json in pieces, one event at a time. */
export function ocsfChunks(report: AuditReport): Generator<string> {
  const events: OcsfEvent[] = [
    ...report.inputProblems.map((problem) => inputProblemEvent(report, problem)),
    ...report.incidents.map((incident) => incidentEvent(report, incident)),
    ...report.resolvedIncidents.map((incident) => resolvedEvent(report, incident)),
    ...suppressedGroups(report.findings).map((group) => suppressedEvent(report, group)),
    ...report.policyFindings.map((finding) => policyEvent(report, finding)),
    ...report.fallbackWindows.filter(isFlagged).map((window) => fallbackEvent(report, window)),
    ...report.countryMismatches.map((pair) => countryMismatchEvent(report, pair)),
  ];
  return prettyJsonChunks(events);
}

interface EventParts {
  findingClass: typeof COMPLIANCE_FINDING | typeof DETECTION_FINDING;
  activity: { id: number; name: string };
  severity: { id: number; name: string };
  status: { id: number; name: string };
  start: string;
  end: string;
  count: number;
  message: string;
  uid: string;
  title: string;
  types: string[];
  compliance?: OcsfEvent['compliance'];
  remediation?: OcsfEvent['remediation'];
  details: Record<string, unknown>;
}

function findingEvent(report: AuditReport, parts: EventParts): OcsfEvent {
  const { findingClass, activity } = parts;
  return {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: FINDINGS_CATEGORY_UID,
    category_name: 'Findings',
    class_uid: findingClass.uid,
    class_name: findingClass.name,
    type_uid: findingClass.uid * 100 + activity.id,
    type_name: `${findingClass.name}: ${activity.name}`,
    severity_id: parts.severity.id,
    severity: parts.severity.name,
    status_id: parts.status.id,
    status: parts.status.name,
    time: epochMs(report.run.generatedAt),
    timezone_offset: 0,
    start_time: epochMs(parts.start),
    end_time: epochMs(parts.end),
    count: parts.count,
    message: parts.message,
    metadata: {
      correlation_uid: report.run.runId,
      product: { name: 'routeaudit', vendor_name: 'routeaudit', version: report.run.toolVersion },
      version: OCSF_VERSION,
    },
    finding_info: {
      uid: parts.uid,
      title: parts.title,
      desc: parts.message,
      first_seen_time: epochMs(parts.start),
      last_seen_time: epochMs(parts.end),
      types: parts.types,
    },
    ...(parts.compliance === undefined ? {} : { compliance: parts.compliance }),
    ...(parts.remediation === undefined ? {} : { remediation: parts.remediation }),
    unmapped: { routeaudit: { run_id: report.run.runId, ...parts.details } },
  };
}

function incidentEvent(report: AuditReport, incident: Incident): OcsfEvent {
  return findingEvent(report, {
    findingClass: COMPLIANCE_FINDING,
    activity: incident.diffStatus === 'new' ? ACTIVITY.create : ACTIVITY.update,
    severity: SEVERITY_IDS[incident.severity],
    status: FINDING_STATUS.new,
    start: incident.firstSeen,
    end: incident.lastSeen,
    count: incident.sessionCount,
    message: whatHappened(incident),
    uid: incident.id,
    title: incident.title,
    types: [incident.rule],
    compliance: complianceCheck(COMPLIANCE_STATUS.fail, incident.rule, incident.cause),
    remediation: { desc: incident.action },
    details: {
      diff_status: incident.diffStatus,
      client_region: incident.clientRegion,
      datacenter_region: incident.datacenterRegion,
      datacenters: incident.datacenters,
      session_ids: incident.sessionIds,
      accounts: incident.accounts,
      meetings: incident.meetings,
      users: incident.users,
      client_countries: incident.clientCountries,
      traffic: incident.traffic,
      key_exchange_sessions: incident.keyExchangeSessions,
      cause_finding_ids: incident.causeFindingIds,
      first_reported_at: incident.firstReportedAt,
    },
  });
}

/**
 * An input the run could not audit: a compliance check that neither passes nor fails
 * (Warning), high, because an audit with a gap cannot show that routing complied.
 */
function inputProblemEvent(report: AuditReport, problem: InputProblem): OcsfEvent {
  const message = `Incomplete input: ${problem.file === null ? '' : `${problem.file}: `}${problem.reason}`;
  const start = report.run.since ?? report.run.generatedAt;
  return findingEvent(report, {
    findingClass: COMPLIANCE_FINDING,
    activity: ACTIVITY.create,
    severity: SEVERITY_IDS.high,
    status: FINDING_STATUS.new,
    start,
    end: report.run.until ?? report.run.generatedAt,
    count: problem.kind === 'no-data' ? 1 : problem.linesRead,
    message,
    uid: `${report.run.runId}:input:${problem.kind}:${problem.file ?? 'window'}`,
    title: problem.file === null ? 'No data for the audit window' : `Input ${{ failed: 'failed to load', 'all-rejected': 'wholly rejected', 'no-data': 'without data', 'source-gap': 'incomplete at its source' }[problem.kind]}: ${problem.file}`,
    types: ['input-problem'],
    compliance: complianceCheck(COMPLIANCE_STATUS.warning, 'input-problem', message),
    details: { kind: problem.kind, file: problem.file, lines_read: problem.linesRead, rejected: problem.rejected },
  });
}

function resolvedEvent(report: AuditReport, incident: ResolvedIncident): OcsfEvent {
  const message = `Resolved (${incident.resolution}): the ${incident.rule} incident of client region ${incident.clientRegion} in datacenter region ${incident.datacenterRegion}: ${incident.reason}.`;
  return findingEvent(report, {
    findingClass: COMPLIANCE_FINDING,
    activity: ACTIVITY.close,
    // The severity the incident was opened with, so that a SIEM pairs the close with the open.
    severity: SEVERITY_IDS[incident.severity],
    status: FINDING_STATUS.resolved,
    start: incident.firstSeen,
    end: incident.lastSeen,
    count: incident.sessionCount,
    message,
    uid: incident.id,
    title: `Resolved: ${incident.rule}, client region ${incident.clientRegion} to datacenter region ${incident.datacenterRegion}`,
    types: [incident.rule],
    compliance: complianceCheck(COMPLIANCE_STATUS.pass, incident.rule, message),
    details: {
      previous_run_id: report.run.previousRunId,
      client_region: incident.clientRegion,
      datacenter_region: incident.datacenterRegion,
      resolution: incident.resolution,
      first_reported_at: incident.firstReportedAt,
    },
  });
}

function suppressedEvent(report: AuditReport, group: SuppressedGroup): OcsfEvent {
  const starts = group.findings.map((finding) => finding.sessionStart).sort((a, b) => Date.parse(a) - Date.parse(b));
  const [earliest] = starts;
  const latest = starts.at(-1);
  // suppressedGroups makes a group only for a finding it then holds.
  if (earliest === undefined || latest === undefined) throw new Error(`internal error: the suppressed group of ${group.rule} holds no finding`);
  const suppression = group.suppressionIndex === null ? 'an unrecorded suppression' : `suppressions[${group.suppressionIndex}]`;
  const message = `${group.findings.length} ${group.rule} finding${group.findings.length === 1 ? '' : 's'} suppressed by ${suppression}: ${group.reason}`;
  return findingEvent(report, {
    findingClass: COMPLIANCE_FINDING,
    activity: ACTIVITY.create,
    severity: SEVERITY_IDS[highestSeverity(group.findings.map((finding) => finding.severity)) ?? 'low'],
    status: FINDING_STATUS.suppressed,
    start: earliest,
    end: latest,
    count: group.findings.length,
    message,
    // Suppressed findings form no incident, so they have no stable id across runs.
    uid: `${report.run.runId}:suppressed:${group.rule}:${group.suppressionIndex ?? 'none'}`,
    title: `Suppressed ${group.rule} findings`,
    types: [group.rule],
    compliance: complianceCheck(COMPLIANCE_STATUS.fail, group.rule, message),
    details: {
      suppression_index: group.suppressionIndex,
      suppression_reason: group.reason,
      suppression_until: group.until,
      session_ids: group.findings.map((finding) => finding.sessionId),
    },
  });
}

function policyEvent(report: AuditReport, finding: PolicyFinding): OcsfEvent {
  return findingEvent(report, {
    findingClass: COMPLIANCE_FINDING,
    activity: ACTIVITY.create,
    severity: SEVERITY_IDS[finding.severity],
    status: FINDING_STATUS.new,
    // A policy finding comes from the policy file alone: it is observed when the run reads the file.
    start: report.run.generatedAt,
    end: report.run.generatedAt,
    count: 1,
    message: finding.message,
    uid: finding.id,
    title: `${finding.rule}: ${finding.path}`,
    types: [finding.rule],
    compliance: { ...complianceCheck(COMPLIANCE_STATUS.fail, finding.rule, finding.message), requirements: [finding.path] },
    details: {
      policy_file: report.run.policyFile,
      policy_sha256: report.run.policySha256,
      policy_path: finding.path,
      client_region: finding.clientRegion,
      datacenter: finding.datacenter,
    },
  });
}

function fallbackEvent(report: AuditReport, window: FallbackWindow): OcsfEvent {
  const rate = window.rate === null ? 'no connected session' : `${formatPercent(window.rate)} via secondary`;
  const baseline = window.baselineRate === null ? 'no baseline yet' : `baseline ${formatPercent(window.baselineRate)}`;
  const message =
    `Client region ${window.clientRegion}: ${window.viaSecondary} of ${window.connected} connected sessions (${rate}) used a secondary datacenter ` +
    `in the window from ${formatUtcMinute(window.windowStart)} (max_rate ${formatPercent(report.settings.maxRate)}, ${baseline}; ${flagsText(window)}).`;
  return findingEvent(report, {
    findingClass: DETECTION_FINDING,
    activity: ACTIVITY.create,
    severity: SEVERITY_IDS[window.severity],
    status: window.suppression === null ? FINDING_STATUS.new : FINDING_STATUS.suppressed,
    start: window.windowStart,
    end: window.windowEnd,
    count: window.sessions,
    message,
    uid: `${window.rule}:${window.clientRegion}:${window.windowStart}`,
    title: `Fallback surge in client region ${window.clientRegion}: ${rate}`,
    types: [window.rule, ...window.flags],
    details: {
      client_region: window.clientRegion,
      window_start: window.windowStart,
      window_end: window.windowEnd,
      sessions: window.sessions,
      connected: window.connected,
      via_secondary: window.viaSecondary,
      rate: window.rate,
      baseline_rate: window.baselineRate,
      max_rate: report.settings.maxRate,
      never_connected: window.neverConnected,
      failure_rate: window.failureRate,
      flags: window.flags,
      suppression_index: window.suppression?.index ?? null,
      suppression_reason: window.suppression?.reason ?? null,
      suppression_until: window.suppression?.until ?? null,
    },
  });
}

function complianceCheck(status: { id: number; name: string }, rule: string, detail: string): NonNullable<OcsfEvent['compliance']> {
  return { standards: [STANDARD], control: rule, status_id: status.id, status: status.name, status_detail: detail };
}

function epochMs(iso: string): number {
  return Date.parse(iso);
}

/**
 * One event per (declared, resolved) pair of country-mismatch findings, as the reports summarise
 * them. The uid names the run's window, so a re-run of the window updates the same event.
 */
function countryMismatchEvent(report: AuditReport, pair: CountryMismatch): OcsfEvent {
  const sessions = `${pair.sessions} session${pair.sessions === 1 ? '' : 's'}`;
  const message =
    `${sessions} declared client_country ${pair.declared}, but their first client_ip is in ${pair.resolved} by the geo database ` +
    `(a VPN, a proxy or a misconfigured client); the declared country decided the client region. affected-sessions.csv lists them.`;
  const start = report.run.since ?? report.run.generatedAt;
  return findingEvent(report, {
    findingClass: DETECTION_FINDING,
    activity: ACTIVITY.create,
    severity: SEVERITY_IDS[pair.severity],
    status: FINDING_STATUS.new,
    start,
    end: report.run.until ?? start,
    count: pair.sessions,
    message,
    uid: `${pair.rule}:${pair.declared}:${pair.resolved}:${start}`,
    title: `Declared country ${pair.declared}, address in ${pair.resolved}: ${sessions}`,
    types: [pair.rule],
    details: { declared_country: pair.declared, resolved_country: pair.resolved, sessions: pair.sessions },
  });
}
