/**
 * What summary.md and report.html say, built once from an AuditReport: the
 * header facts, then the sections in reading order, each with its wording,
 * fields and tables. markdown.ts and html.ts render the same document, so a new
 * column is one entry in one of the column lists below, and a new section one
 * function in `reportDocument`.
 *
 * Section functions return the "nothing to list" form of a section themselves,
 * because what an empty section says (and whether it keeps its intro) differs
 * per section. The wording helpers shared with the terminal and JSON live in
 * summary.ts; this module only arranges them.
 */
import type {
  AuditReport,
  NotAssessable,
  IngestAccounting,
  CountryMismatch,
  FallbackWindow,
  Incident,
  InputProblem,
  IpResolution,
  PolicyFinding,
  RegionCoverage,
  ResolvedIncident,
} from '../detect/model.js';
import {
  code,
  joined,
  muted,
  alert,
  paragraph,
  prose,
  severity,
  subheading,
  table,
  type Block,
  type Column,
  type Entry,
  type Field,
  type Inline,
  type Line,
  type ReportDocument,
  type Section,
} from './document.js';
import {
  auditWindowText,
  datacenterText,
  fallbackPeakText,
  firstReportedText,
  flaggedStatusText,
  flagsText,
  formatDuration,
  formatPercent,
  formatUtc,
  formatUtcMinute,
  geoDatabaseText,
  incidentWhen,
  ingestBalanceText,
  inputProblemText,
  ipStatusText,
  isFlagged,
  lateSessionsByFile,
  mostUrgent,
  percentOrDash,
  plural,
  regionFallbackSummaries,
  windowRules,
  resolutionText,
  sharedSessions,
  sharedSessionsText,
  suppressedGroups,
  truncatedList,
  verdictText,
  whatHappened,
  type RegionFallbackSummary,
  type SuppressedGroup,
} from './summary.js';

export function reportDocument(report: AuditReport): ReportDocument {
  const verdict = verdictText(report.verdict);
  return {
    runId: report.run.runId,
    verdict: {
      status: report.verdict.status,
      headline: verdict.headline,
      highestSeverity: verdict.highestSeverity,
      mostUrgent: mostUrgent(report),
      alsoNoted: verdict.alsoNoted,
    },
    runFacts: runFacts(report),
    sections: [
      inputProblemsSection(report),
      notAssessableSection(report),
      lateArrivalsSection(report),
      timelineSection(report),
      incidentsSection(report),
      resolvedSection(report),
      fallbackSection(report),
      policySection(report),
      suppressedSection(report),
      countryMismatchSection(report),
      coverageSection(report),
      ingestSection(report),
    ],
  };
}

// ---------------------------------------------------------------- columns

const NOT_ASSESSABLE_COLUMNS: readonly Column<NotAssessable>[] = [
  { header: 'Rule', cell: (entry) => entry.rule },
  { header: 'Needs', cell: (entry) => entry.needs },
  { header: 'Sessions not judged', format: 'number', cell: (entry) => entry.sessions },
  { header: 'From sources', cell: (entry) => entry.sources.join(', ') },
];

export const RESOLVED_INCIDENT_COLUMNS: readonly Column<ResolvedIncident>[] = [
  { header: 'Incident', format: 'id', cell: (incident) => incident.id },
  { header: 'Severity when open', cell: (incident) => severity(incident.severity) },
  { header: 'Rule', cell: (incident) => incident.rule },
  { header: 'Client region', cell: (incident) => incident.clientRegion },
  { header: 'Datacenter region', cell: (incident) => incident.datacenterRegion },
  { header: 'First seen', format: 'time', cell: (incident) => formatUtc(incident.firstSeen) },
  { header: 'Last seen', format: 'time', cell: (incident) => formatUtc(incident.lastSeen) },
  { header: 'Sessions', format: 'number', cell: (incident) => incident.sessionCount },
  { header: 'Why resolved', cell: resolutionText },
];

export const INPUT_PROBLEM_COLUMNS: readonly Column<InputProblem>[] = [
  { header: 'Kind', cell: (problem) => problem.kind },
  { header: 'File', cell: (problem) => problem.file ?? '—' },
  { header: 'Problem', cell: inputProblemText },
];

export const LATE_FILE_COLUMNS: readonly Column<ReturnType<typeof lateSessionsByFile>[number]>[] = [
  { header: 'File', cell: (file) => file.file },
  { header: 'Late sessions', format: 'number', cell: (file) => file.sessions },
  { header: 'Earliest start', format: 'time', cell: (file) => formatUtc(file.earliest) },
  { header: 'Latest start', format: 'time', cell: (file) => formatUtc(file.latest) },
];

export const FLAGGED_WINDOW_COLUMNS: readonly Column<FallbackWindow>[] = [
  { header: 'Client region', cell: (window) => window.clientRegion },
  { header: 'Window start', format: 'time', cell: (window) => formatUtcMinute(window.windowStart) },
  { header: 'Sessions', format: 'number', cell: (window) => window.sessions },
  { header: 'Connected', format: 'number', cell: (window) => window.connected },
  { header: 'Via secondary', format: 'number', cell: (window) => window.viaSecondary },
  { header: 'Rate', format: 'number', cell: (window) => percentOrDash(window.rate) },
  { header: 'Baseline', format: 'number', cell: (window) => percentOrDash(window.baselineRate) },
  { header: 'Never connected', format: 'number', cell: (window) => window.neverConnected },
  { header: 'Why flagged', cell: flagsText },
  { header: 'Status', cell: flaggedStatusText },
];

export const REGION_FALLBACK_COLUMNS: readonly Column<RegionFallbackSummary>[] = [
  { header: 'Client region', cell: (summary) => summary.clientRegion },
  { header: 'Windows measured', format: 'number', cell: (summary) => summary.windows },
  { header: 'Rated', format: 'number', cell: (summary) => summary.ratedWindows },
  { header: 'Flagged', format: 'number', cell: (summary) => summary.flaggedWindows },
  { header: 'Peak rate', format: 'number', cell: (summary) => percentOrDash(summary.peak?.rate ?? null) },
  { header: 'Peak window', format: 'time', cell: (summary) => (summary.peak === null ? '—' : formatUtcMinute(summary.peak.windowStart)) },
  { header: 'Baseline at peak', format: 'number', cell: (summary) => percentOrDash(summary.peak?.baselineRate ?? null) },
  { header: 'Sessions', format: 'number', cell: (summary) => summary.sessions },
  { header: 'Never connected', format: 'number', cell: (summary) => summary.neverConnected },
];

export const POLICY_FINDING_COLUMNS: readonly Column<PolicyFinding>[] = [
  { header: 'Id', format: 'id', cell: (finding) => finding.id },
  { header: 'Rule', cell: (finding) => finding.rule },
  { header: 'Severity', cell: (finding) => severity(finding.severity) },
  { header: 'Where in the policy', cell: (finding) => code(finding.path) },
  { header: 'Finding', cell: (finding) => finding.message },
];

export const SUPPRESSED_GROUP_COLUMNS: readonly Column<SuppressedGroup>[] = [
  { header: 'Rule', cell: (group) => group.rule },
  {
    header: 'Suppression',
    cell: (group) => [
      ...(group.suppressionIndex === null ? [] : [code(`suppressions[${group.suppressionIndex}]`), ': ']),
      group.reason,
      ...(group.until === null ? [] : [' ', muted(`(until ${formatUtc(group.until)})`)]),
    ],
  },
  { header: 'Findings', format: 'number', cell: (group) => group.findings.length },
  { header: 'Sessions', cell: (group) => listWithMore(group.findings.map((finding) => finding.sessionId), code) },
];

export const COUNTRY_MISMATCH_COLUMNS: readonly Column<CountryMismatch>[] = [
  { header: 'Declared country', cell: (mismatch) => mismatch.declared },
  { header: 'Country of the address', cell: (mismatch) => mismatch.resolved },
  { header: 'Sessions', format: 'number', cell: (mismatch) => mismatch.sessions },
];

export const COVERAGE_COLUMNS: readonly Column<RegionCoverage>[] = [
  { header: 'Client region', cell: (coverage) => coverage.clientRegion },
  { header: 'Sessions', format: 'number', cell: (coverage) => coverage.sessions },
  { header: 'Connected', format: 'number', cell: (coverage) => coverage.connected },
  { header: 'Never connected', format: 'number', cell: (coverage) => coverage.neverConnected },
  { header: 'Connected to a fenced region', format: 'number', cell: (coverage) => coverage.fencedRegionSessions },
  { header: 'Country from client_networks', format: 'number', cell: (coverage) => coverage.countryFromNetwork },
  { header: 'Country from IP', format: 'number', cell: (coverage) => coverage.countryFromIp },
  { header: 'IP without country', format: 'number', cell: (coverage) => coverage.ipWithoutCountry },
];

export const IP_RESOLUTION_COLUMNS: readonly Column<IpResolution>[] = [
  { header: 'Outcome', cell: (resolution) => resolution.status },
  { header: 'Meaning', cell: (resolution) => ipStatusText(resolution.status) },
  { header: 'Sessions', format: 'number', cell: (resolution) => resolution.sessions },
  { header: 'Addresses', format: 'number', cell: (resolution) => resolution.addresses },
];

export const INGEST_COLUMNS: readonly Column<IngestAccounting>[] = [
  { header: 'Files', format: 'number', cell: (ingest) => ingest.files },
  { header: 'Lines read', format: 'number', cell: (ingest) => ingest.linesRead },
  { header: 'Loaded', format: 'number', cell: (ingest) => ingest.loaded },
  { header: 'Duplicates', format: 'number', cell: (ingest) => ingest.duplicates },
  { header: 'Rejected', format: 'number', cell: (ingest) => ingest.rejected },
];

// ---------------------------------------------------------------- header and incidents

function runFacts(report: AuditReport): Field[] {
  const run = report.run;
  return [
    { label: 'Audit window', value: [auditWindowText(report), ' ', muted(prose`(a session belongs to the window by its start)`)] },
    { label: 'Generated', value: prose`${formatUtc(run.generatedAt)} by routeaudit ${run.toolVersion}` },
    { label: 'Policy', value: [run.policyFile, ' ', { kind: 'digest', algorithm: 'sha256', value: run.policySha256 }] },
    { label: 'Database', value: [run.database] },
    { label: 'Geo database', value: [geoDatabaseText(run)] },
    {
      label: 'Previous run',
      value: [run.previousRunId ?? 'none: the first run of this policy on this database', ' ', muted(prose`(statuses come from the incident ledger)`)],
    },
  ];
}

function incidentEntry(report: AuditReport, incident: Incident, position: number): Entry {
  const accounts =
    incident.accounts.length === 0 ? ['no account'] : prose`${plural(incident.accounts.length, 'account')} (${listWithMore(incident.accounts, code)})`;
  const countries = incident.clientCountries.length === 0 ? ['unknown'] : listWithMore(incident.clientCountries);
  const traffic = incident.traffic.length === 0 ? 'none recorded' : incident.traffic.join(', ');
  const keyExchange =
    incident.keyExchangeSessions > 0 ? alert(`key exchange on ${plural(incident.keyExchangeSessions, 'session')}`) : muted('no key exchange');
  const causes = incident.causeFindingIds.length === 0 ? ['none'] : listWithMore(incident.causeFindingIds, code);
  const peak = fallbackPeakText(incident);
  const shared = sharedSessionsText(sharedSessions(report, incident));
  return {
    position,
    status: incident.diffStatus,
    severity: incident.severity,
    title: incident.title,
    summary: [whatHappened(incident)],
    fields: [
      { label: 'When', value: [incidentWhen(incident)] },
      {
        label: 'Blast radius',
        value: prose`${plural(incident.sessionCount, 'session')}, ${accounts}, ${plural(incident.meetings, 'meeting')}, ${plural(incident.users, 'user')}; client countries: ${countries}`,
      },
      { label: 'Where', value: joined(incident.datacenters.map(datacenterText), (text) => text, { kind: 'break' }) },
      { label: 'Traffic', value: [traffic, '; ', keyExchange] },
      peak === null ? null : { label: 'Fallback', value: [peak] },
      { label: 'Probable cause', value: [incident.cause] },
      { label: 'What to do', value: [incident.action], highlight: true },
      {
        label: 'Sessions',
        value: [
          ...listWithMore(incident.sessionIds, code),
          // Both wordings are fixed by the golden files; unify them when the goldens are next regenerated.
          {
            kind: 'per-format',
            markdown: prose` (all in affected-sessions.csv under incident_id ${incident.id})`,
            html: [' ', muted(prose`(all in affected-sessions.csv under this incident id)`)],
          },
        ],
      },
      shared === null ? null : { label: 'Shared sessions', value: [shared] },
      { label: 'Incident id', value: prose`${code(incident.id)}; cause findings: ${causes}` },
      { label: 'First reported', value: [firstReportedText(incident, report.run.generatedAt)] },
    ],
  };
}

/** The first few values and how many more there are; the CSV has them all. */
function listWithMore(values: readonly string[], item: (value: string) => Inline = (value) => value): Line {
  const { shown, more } = truncatedList([...values]);
  return [...joined(shown, item), ...(more > 0 ? [` and ${more} more`] : [])];
}

// ---------------------------------------------------------------- sections

function section(id: string, heading: string, blocks: Block[]): Section {
  return { id, heading, blocks, nothingToList: false };
}

/** A section that only says there is nothing to list, after whatever `blocks` explain it. */
function emptySection(id: string, heading: string, nothing: Line, blocks: Block[] = []): Section {
  return { id, heading, blocks: [...blocks, paragraph(nothing)], nothingToList: true };
}

function inputProblemsSection(report: AuditReport): Section {
  const intro = prose`Files this run read that failed to load or loaded nothing, and a window without data: any of them makes the verdict incomplete.`;
  const problems = report.inputProblems;
  if (problems.length === 0) return emptySection('input-problems', 'Input problems', prose`None.`, [paragraph(intro)]);
  return section('input-problems', `Input problems (${problems.length})`, [
    paragraph(intro, prose`The rejected lines of the files this run read are in rejects.csv beside this report.`),
    table(INPUT_PROBLEM_COLUMNS, problems),
  ]);
}

/** What a source cannot show: rules it kept from judging some sessions (docs/sources.md). Absent when every rule judged every session. */
function notAssessableSection(report: AuditReport): Section | null {
  if (report.notAssessable.length === 0) return null;
  return section('not-assessable', 'Not assessable from this source', [
    paragraph(
      prose`Some sessions come from logs that cannot show what a rule needs: ${code('attempt-sequence')} is a session's connection attempts in order, which a flow log or a participant export does not have (one connection or join per session). Those rules were not run on those sessions, so no finding of theirs (and no absence of one) speaks for them.`,
    ),
    table(NOT_ASSESSABLE_COLUMNS, report.notAssessable, { compact: true }),
  ]);
}

function lateArrivalsSection(report: AuditReport): Section | null {
  const late = report.lateSessions;
  // Without a watermark nothing was scanned for late records, so there is nothing to say either way.
  if (report.run.lateAfterFileId === null && late.length === 0) return null;
  const intro = paragraph(
    prose`Sessions that started before the audit window but have a record in a file ingested since the last nightly run (files after id ${String(report.run.lateAfterFileId)}): audited here, so late logs are never skipped.`,
  );
  if (late.length === 0) return emptySection('late-arrivals', 'Late arrivals', prose`None.`, [intro]);
  const sessionIds = late.map((session) => session.sessionId);
  const truncated = truncatedList(sessionIds).more > 0;
  return section('late-arrivals', `Late arrivals (${late.length})`, [
    intro,
    table(LATE_FILE_COLUMNS, lateSessionsByFile(report)),
    paragraph(prose`Sessions: ${listWithMore(sessionIds, code)}${truncated ? prose` (all in findings.json, lateSessions)` : []}.`),
  ]);
}

function timelineSection(report: AuditReport): Section | null {
  if (report.incidents.length === 0) return null;
  return section('timeline', 'Incident timeline', [{ kind: 'figure', figure: 'incident-timeline' }]);
}

function incidentsSection(report: AuditReport): Section {
  const incidents = report.incidents;
  if (incidents.length === 0) return emptySection('incidents', 'Incidents', prose`No incidents: no active session finding in the audit window.`);
  return section('incidents', `Incidents (${incidents.length})`, [
    { kind: 'entries', entries: incidents.map((incident, index) => incidentEntry(report, incident, index + 1)) },
  ]);
}

function resolvedSection(report: AuditReport): Section {
  if (report.resolvedIncidents.length === 0) return emptySection('resolved', 'Resolved incidents', prose`None.`);
  return section('resolved', 'Resolved incidents', [
    paragraph(
      prose`Incidents the ledger held open that this run closes: their cause is gone from the policy, nothing continued them for the quiet period (${formatDuration(report.settings.quietPeriodMs)}), or this run audited their whole span and no longer finds them.`,
    ),
    table(RESOLVED_INCIDENT_COLUMNS, report.resolvedIncidents),
  ]);
}

/** With several window rules, each row says which rule rated it (one window rule, fallback-rate, needs no column). */
function withRuleColumn<Row extends { rule: string }>(columns: readonly Column<Row>[], several: boolean): readonly Column<Row>[] {
  return several ? [{ header: 'Rule', cell: (row) => row.rule }, ...columns] : columns;
}

function fallbackSection(report: AuditReport): Section {
  const settings = report.settings;
  const several = windowRules(report).length > 1;
  return section('fallback', 'Fallback to secondary datacenters', [
    paragraph(
      prose`Share of connected sessions whose last connected attempt was a secondary datacenter, per client region and ${formatDuration(settings.windowMs)} window (UTC).`,
      prose`A window is flagged above max_rate ${formatPercent(settings.maxRate)} or far above the region's trailing baseline; windows with fewer than ${settings.minSessions} connected sessions are not rated.`,
      prose`A flagged window that a suppression covers is listed but not counted in the verdict.`,
    ),
    { kind: 'figure', figure: 'fallback-share' },
    subheading('Flagged windows'),
    table(withRuleColumn(FLAGGED_WINDOW_COLUMNS, several), report.fallbackWindows.filter(isFlagged), { empty: 'No window was flagged.' }),
    subheading('Per client region'),
    table(withRuleColumn(REGION_FALLBACK_COLUMNS, several), regionFallbackSummaries(report), { empty: 'No window was measured.' }),
  ]);
}

function policySection(report: AuditReport): Section {
  if (report.policyFindings.length === 0) {
    return emptySection('policy', 'Policy findings', prose`None: the policy itself allows nothing the fences forbid.`);
  }
  return section('policy', 'Policy findings', [table(POLICY_FINDING_COLUMNS, report.policyFindings)]);
}

function suppressedSection(report: AuditReport): Section {
  const groups = suppressedGroups(report.findings);
  if (groups.length === 0) return emptySection('suppressed', 'Suppressed findings', prose`None.`);
  return section('suppressed', 'Suppressed findings', [
    paragraph(prose`Findings that a suppression in the policy covers: kept for the record, not counted in the verdict.`),
    table(SUPPRESSED_GROUP_COLUMNS, groups),
  ]);
}

function countryMismatchSection(report: AuditReport): Section {
  const intro = paragraph(
    prose`Sessions whose declared ${code('client_country')} differs from the country of their ${code('client_ip')} in the geo database: a VPN, a proxy, a misconfigured client or a stale database.`,
    prose`The declared country decides the client region. One line per pair of countries instead of incidents; each session is in affected-sessions.csv under rule country-mismatch.`,
  );
  if (report.countryMismatches.length === 0) return emptySection('country-mismatches', 'Country mismatches', prose`None.`, [intro]);
  return section('country-mismatches', 'Country mismatches', [intro, table(COUNTRY_MISMATCH_COLUMNS, report.countryMismatches, { compact: true })]);
}

function coverageSection(report: AuditReport): Section {
  const unknown = { kind: 'literal', text: 'unknown' } as const;
  const unmapped = { kind: 'literal', text: 'unmapped' } as const;
  const column = (text: string): Inline => ({ kind: 'column-name', text });
  const intro = paragraph(
    prose`Sessions per client region in the audit window, so that no session is invisible: ${unknown} means the session had no client country (none declared, none from its address), ${unmapped} that no region lists its country. No fence admits either: fences are fail-closed, so their fenced contacts are geofence findings unless a fence says unplaced_clients: review.`,
    prose`${column('Connected to a fenced region')} counts sessions that connected to a datacenter in a fenced region, whether or not a fence admits their region; for ${unknown} and ${unmapped} each is a geofence finding, or an unplaced-fenced-contact finding under a fence with unplaced_clients: review.`,
    prose`${column('Country from client_networks')} counts sessions placed by the policy's ${code('client_networks')} (office ranges), having declared no country; ${column('Country from IP')} those placed by the geo lookup of their ${code('client_ip')}; ${column('IP without country')} those whose address gave no country in the geo database (see below).`,
  );
  if (report.coverage.length === 0) return emptySection('coverage', 'Coverage', prose`No session in the window.`, [intro]);
  return section('coverage', 'Coverage', [
    intro,
    table(COVERAGE_COLUMNS, report.coverage, { compact: true }),
    subheading('Client addresses'),
    paragraph(prose`How each session's first ${code('client_ip')} resolved, in the geo database named at the top.`),
    table(IP_RESOLUTION_COLUMNS, report.ipResolution, { compact: true, empty: 'No session in the window.' }),
  ]);
}

function ingestSection(report: AuditReport): Section {
  return section('ingest', 'Ingest', [
    paragraph(prose`What the database holds, so that the reader knows what the verdict covers.`),
    table(INGEST_COLUMNS, [report.ingest], { compact: true }),
    paragraph([ingestBalanceText(report.ingest)]),
  ]);
}
