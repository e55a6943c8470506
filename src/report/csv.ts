/**
 * affected-sessions.csv: one row per session finding, active and suppressed,
 * for scripts and for the list handed to legal. The columns are a contract
 * (docs/report-format.md); new columns are only ever appended.
 *
 * Records come from csvRecord: RFC 4180 quoting, CRLF line ends, and a leading
 * `'` on any cell that a spreadsheet would take for a formula (OWASP CSV
 * injection) or that already begins with `'`, so that a reader recovers every
 * value exactly by removing one leading `'` from any cell that starts with one.
 */
import type { AuditReport, SessionFinding } from '../detect/model.js';
import type { RunReject } from '../ingest/run-inputs.js';
import { csvRecord } from './csv-cell.js';

type IncidentSeverity = (incidentId: string | null) => string;

const COLUMNS: [name: string, value: (finding: SessionFinding, incidentSeverity: IncidentSeverity) => string][] = [
  ['incident_id', (finding) => finding.incidentId ?? ''],
  ['rule', (finding) => finding.rule],
  // The finding's own severity; the incident's, which can be higher, is incident_severity.
  ['finding_severity', (finding) => finding.severity],
  ['status', (finding) => finding.status],
  ['session_id', (finding) => finding.sessionId],
  ['account_id', (finding) => finding.accountId ?? ''],
  ['meeting_id', (finding) => finding.meetingId ?? ''],
  ['user_id', (finding) => finding.userId ?? ''],
  ['client_country', (finding) => finding.clientCountry ?? ''],
  ['client_region', (finding) => finding.clientRegion],
  ['datacenter', (finding) => finding.datacenter],
  ['datacenter_region', (finding) => finding.datacenterRegion],
  ['session_start', (finding) => finding.sessionStart],
  ['traffic', (finding) => finding.traffic.join(';')],
  ['detail', (finding) => finding.detail],
  ['evidence_file', (finding) => finding.evidence.file],
  ['evidence_line', (finding) => String(finding.evidence.line)],
  ['evidence_ts', (finding) => finding.evidence.ts],
  ['evidence_outcome', (finding) => finding.evidence.outcome],
  ['evidence_tier', (finding) => finding.evidence.tier],
  ['suppression_reason', (finding) => finding.suppression?.reason ?? ''],
  ['suppression_until', (finding) => finding.suppression?.until ?? ''],
  // Filtering on the incident's severity finds every session of a critical incident.
  ['incident_severity', (finding, incidentSeverity) => incidentSeverity(finding.incidentId)],
  // Where client_country came from: the logs (declared), the policy's client_networks (network), the geo lookup of client_ip (ip), or empty.
  ['client_country_source', (finding) => finding.countrySource ?? ''],
  // A session in several incidents has one row per finding; this names the others, so none is counted twice unsaid.
  ['also_in_incidents', (finding) => finding.otherIncidentIds.join(';')],
  // The datacenter as the evidence line names it (dc_id, dc_ip), and how `datacenter` was placed from them.
  ['evidence_logged_datacenter', (finding) => finding.evidence.loggedDatacenter],
  ['evidence_logged_address', (finding) => finding.evidence.loggedAddress ?? ''],
  ['evidence_placed_by', (finding) => finding.evidence.placedBy ?? ''],
];

export const CSV_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

export function renderAffectedSessionsCsv(report: AuditReport): string {
  return [...affectedSessionsCsvChunks(report)].join('');
}

/** affected-sessions.csv one record at a time, for writing it without holding it whole. */
export function* affectedSessionsCsvChunks(report: AuditReport): Generator<string> {
  const severities = new Map(report.incidents.map((i) => [i.id, i.severity]));
  const incidentSeverity: IncidentSeverity = (id) => (id === null ? '' : (severities.get(id) ?? ''));
  yield csvRecord(CSV_COLUMNS);
  for (const finding of [...report.findings].sort(compareFindings)) yield csvRecord(COLUMNS.map(([, value]) => value(finding, incidentSeverity)));
}

const INPUT_PROBLEM_COLUMNS = ['kind', 'file', 'reason', 'lines_read', 'rejected'];

/** input-problems.csv: what makes the verdict incomplete, one row per problem (header only when none). */
export function renderInputProblemsCsv(report: AuditReport): string {
  const rows = report.inputProblems.map((p) => [p.kind, p.file ?? '', p.reason, String(p.linesRead), String(p.rejected)]);
  return [INPUT_PROBLEM_COLUMNS, ...rows].map((cells) => csvRecord(cells)).join('');
}

const REJECT_COLUMNS = ['file', 'line', 'reason', 'raw_bytes', 'raw'];

/**
 * rejects.csv: the rejected lines of the files the run read; raw is the line, or its first 4 KiB
 * when longer. The rejects can come straight from a database query, page by page.
 */
export async function* rejectsCsvChunks(rejects: Iterable<RunReject> | AsyncIterable<RunReject>): AsyncGenerator<string> {
  yield csvRecord(REJECT_COLUMNS);
  for await (const r of rejects) yield csvRecord([r.path, String(r.line_no), r.reason, String(r.raw_bytes), r.raw ?? '']);
}

/** By session start, rule, session id; strings in code-unit order, never locale order, so that every machine sorts alike. */
function compareFindings(a: SessionFinding, b: SessionFinding): number {
  return (
    Date.parse(a.sessionStart) - Date.parse(b.sessionStart) ||
    compareStrings(a.rule, b.rule) ||
    compareStrings(a.sessionId, b.sessionId)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
