/**
 * summary.md: the report for people. Verdict first, then one section per
 * incident, then the context that says what the verdict covers.
 *
 * Every value that is not a number goes through `escapeMarkdown`, because ids,
 * countries and file names come from logs and a hostile one must not split a
 * table row, open a code span or smuggle HTML into a Markdown viewer.
 */
import type { AuditReport, Incident } from '../detect/model.js';
import {
  auditWindowText,
  datacenterText,
  fallbackPeakText,
  flaggedStatusText,
  flagsText,
  formatDuration,
  formatPercent,
  formatUtc,
  formatUtcMinute,
  geoDatabaseText,
  incidentWhen,
  ingestBalanceText,
  firstReportedText,
  inputProblemText,
  ipStatusText,
  isFlagged,
  lateSessionsByFile,
  resolutionText,
  sharedSessions,
  sharedSessionsText,
  percentOrDash,
  plural,
  regionFallbackSummaries,
  sanitizeForDisplay,
  suppressedGroups,
  truncatedList,
  mostUrgent,
  verdictText,
  whatHappened,
} from './summary.js';

/**
 * Backslash-escapes the characters that start Markdown or GFM constructs
 * anywhere in a line (emphasis, code, links, HTML, entities, tables,
 * strikethrough, math). Line starts need no care: values never start a line.
 * An underscore between two letters or digits cannot open or close emphasis
 * (CommonMark), so `key_exchange` stays readable in the raw file.
 */
export function escapeMarkdown(value: string): string {
  return sanitizeForDisplay(value).replace(/[\\`*[\]<>|~&$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\$&');
}

export function renderMarkdown(report: AuditReport): string {
  const blocks = [
    header(report),
    inputProblemsSection(report),
    lateSessionsSection(report),
    incidentsSection(report),
    resolvedSection(report),
    fallbackSection(report),
    policySection(report),
    suppressedSection(report),
    countryMismatchSection(report),
    coverageSection(report),
    ingestSection(report),
  ];
  return `${blocks.filter((block) => block !== null).join('\n\n')}\n`;
}

function header(report: AuditReport): string {
  const verdict = verdictText(report.verdict);
  const highest = verdict.highestSeverity === null ? '' : ` — highest severity ${verdict.highestSeverity}`;
  const lines = [`# routeaudit report ${escapeMarkdown(report.run.runId)}`, '', `**Verdict: ${escapeMarkdown(verdict.headline)}**${highest}`];
  const urgent = mostUrgent(report);
  if (urgent.length > 0) lines.push('', '**Most urgent:**', '', ...urgent.map((line) => `- ${escapeMarkdown(line)}`));
  if (verdict.alsoNoted.length > 0) lines.push('', `Also in this run: ${escapeMarkdown(verdict.alsoNoted.join(', '))}.`);
  const run = report.run;
  const previous = run.previousRunId === null ? 'none: the first run of this policy on this database' : escapeMarkdown(run.previousRunId);
  lines.push(
    '',
    `- **Audit window:** ${escapeMarkdown(auditWindowText(report))} (a session belongs to the window by its start)`,
    `- **Generated:** ${formatUtc(run.generatedAt)} by routeaudit ${escapeMarkdown(run.toolVersion)}`,
    `- **Policy:** ${escapeMarkdown(run.policyFile)} (sha256 ${escapeMarkdown(run.policySha256)})`,
    `- **Database:** ${escapeMarkdown(run.database)}`,
    `- **Geo database:** ${escapeMarkdown(geoDatabaseText(run))}`,
    `- **Previous run:** ${previous} (statuses come from the incident ledger)`,
  );
  return lines.join('\n');
}

function incidentsSection(report: AuditReport): string {
  if (report.incidents.length === 0) return '## Incidents\n\nNo incidents: no active session finding in the audit window.';
  const sections = report.incidents.map((incident, index) => incidentSection(report, incident, index + 1));
  return [`## Incidents (${report.incidents.length})`, ...sections].join('\n\n');
}

function incidentSection(report: AuditReport, incident: Incident, position: number): string {
  const accounts = truncatedList(incident.accounts);
  const accountNames = accounts.shown.map(escapeMarkdown).join(', ') + (accounts.more > 0 ? ` and ${accounts.more} more` : '');
  const accountText = incident.accounts.length === 0 ? 'no account' : `${plural(incident.accounts.length, 'account')} (${accountNames})`;
  const countries = incident.clientCountries.length === 0 ? 'unknown' : incident.clientCountries.map(escapeMarkdown).join(', ');
  const traffic = incident.traffic.length === 0 ? 'none recorded' : incident.traffic.map(escapeMarkdown).join(', ');
  const keyExchange =
    incident.keyExchangeSessions > 0 ? `; **key exchange on ${plural(incident.keyExchangeSessions, 'session')}**` : '; no key exchange';
  const sessions = truncatedList(incident.sessionIds);
  const sessionText =
    sessions.shown.map(escapeMarkdown).join(', ') +
    (sessions.more > 0 ? ` and ${sessions.more} more` : '') +
    ` (all in affected-sessions.csv under incident_id ${escapeMarkdown(incident.id)})`;
  const causes = incident.causeFindingIds.length === 0 ? 'none' : incident.causeFindingIds.map(escapeMarkdown).join(', ');
  const peak = fallbackPeakText(incident);
  const shared = sharedSessionsText(sharedSessions(report, incident));

  const lines = [
    `### ${position}. ${incident.diffStatus.toUpperCase()} · ${incident.severity} · ${escapeMarkdown(incident.title)}`,
    '',
    escapeMarkdown(whatHappened(incident)),
    '',
    `- **When:** ${escapeMarkdown(incidentWhen(incident))}`,
    `- **Blast radius:** ${plural(incident.sessionCount, 'session')}, ${accountText}, ${plural(incident.meetings, 'meeting')}, ${plural(incident.users, 'user')}; client countries: ${countries}`,
    `- **Where:** ${incident.datacenters.map((datacenter) => escapeMarkdown(datacenterText(datacenter))).join('; ')}`,
    `- **Traffic:** ${traffic}${keyExchange}`,
  ];
  if (peak !== null) lines.push(`- **Fallback:** ${escapeMarkdown(peak)}`);
  lines.push(
    `- **Probable cause:** ${escapeMarkdown(incident.cause)}`,
    `- **What to do:** ${escapeMarkdown(incident.action)}`,
    `- **Sessions:** ${sessionText}`,
  );
  if (shared !== null) lines.push(`- **Shared sessions:** ${escapeMarkdown(shared)}`);
  lines.push(
    `- **Incident id:** ${escapeMarkdown(incident.id)}; cause findings: ${causes}`,
    `- **First reported:** ${escapeMarkdown(firstReportedText(incident, report.run.generatedAt))}`,
  );
  return lines.join('\n');
}

function resolvedSection(report: AuditReport): string {
  if (report.resolvedIncidents.length === 0) return '## Resolved incidents\n\nNone.';
  const rows = report.resolvedIncidents.map((incident) => [
    escapeMarkdown(incident.id),
    incident.severity,
    escapeMarkdown(incident.rule),
    escapeMarkdown(incident.clientRegion),
    escapeMarkdown(incident.datacenterRegion),
    formatUtc(incident.firstSeen),
    formatUtc(incident.lastSeen),
    String(incident.sessionCount),
    escapeMarkdown(resolutionText(incident)),
  ]);
  return [
    '## Resolved incidents',
    '',
    `Incidents the ledger held open that this run closes: their cause is gone from the policy, nothing continued them for the quiet period (${formatDuration(report.settings.quietPeriodMs)}), or this run audited their whole span and no longer finds them.`,
    '',
    markdownTable(['Incident', 'Severity when open', 'Rule', 'Client region', 'Datacenter region', 'First seen', 'Last seen', 'Sessions', 'Why resolved'], rows, [7]),
  ].join('\n');
}

function inputProblemsSection(report: AuditReport): string {
  const intro = 'Files this run read that failed to load or loaded nothing, and a window without data: any of them makes the verdict incomplete.';
  if (report.inputProblems.length === 0) return `## Input problems\n\n${intro}\n\nNone.`;
  const rows = report.inputProblems.map((problem) => [
    escapeMarkdown(problem.kind),
    problem.file === null ? '—' : escapeMarkdown(problem.file),
    escapeMarkdown(inputProblemText(problem)),
  ]);
  return [
    `## Input problems (${report.inputProblems.length})`,
    '',
    intro,
    'The rejected lines of the files this run read are in rejects.csv beside this report.',
    '',
    markdownTable(['Kind', 'File', 'Problem'], rows),
  ].join('\n');
}

function lateSessionsSection(report: AuditReport): string | null {
  if (report.run.lateAfterFileId === null && report.lateSessions.length === 0) return null;
  const intro =
    `Sessions that started before the audit window but have a record in a file ingested since the last nightly run (files after id ${report.run.lateAfterFileId}): audited here, so late logs are never skipped.`;
  if (report.lateSessions.length === 0) return `## Late arrivals\n\n${intro}\n\nNone.`;
  const rows = lateSessionsByFile(report).map((file) => [escapeMarkdown(file.file), String(file.sessions), formatUtc(file.earliest), formatUtc(file.latest)]);
  const sessions = truncatedList(report.lateSessions.map((session) => session.sessionId));
  return [
    `## Late arrivals (${report.lateSessions.length})`,
    '',
    intro,
    '',
    markdownTable(['File', 'Late sessions', 'Earliest start', 'Latest start'], rows, [1]),
    '',
    `Sessions: ${sessions.shown.map(escapeMarkdown).join(', ')}${sessions.more > 0 ? ` and ${sessions.more} more (all in findings.json, lateSessions)` : ''}.`,
  ].join('\n');
}

function fallbackSection(report: AuditReport): string {
  const settings = report.settings;
  const lines = [
    '## Fallback to secondary datacenters',
    '',
    `Share of connected sessions whose last connected attempt was a secondary datacenter, per client region and ${formatDuration(settings.windowMs)} window (UTC). ` +
      `A window is flagged above max_rate ${formatPercent(settings.maxRate)} or far above the region's trailing baseline; ` +
      `windows with fewer than ${settings.minSessions} connected sessions are not rated. ` +
      'A flagged window that a suppression covers is listed but not counted in the verdict.',
    '',
    '### Flagged windows',
    '',
  ];
  const flagged = report.fallbackWindows.filter(isFlagged);
  if (flagged.length === 0) {
    lines.push('No window was flagged.');
  } else {
    const rows = flagged.map((window) => [
      escapeMarkdown(window.clientRegion),
      formatUtcMinute(window.windowStart),
      String(window.sessions),
      String(window.connected),
      String(window.viaSecondary),
      percentOrDash(window.rate),
      percentOrDash(window.baselineRate),
      String(window.neverConnected),
      flagsText(window),
      escapeMarkdown(flaggedStatusText(window)),
    ]);
    lines.push(
      markdownTable(
        ['Client region', 'Window start', 'Sessions', 'Connected', 'Via secondary', 'Rate', 'Baseline', 'Never connected', 'Why flagged', 'Status'],
        rows,
        [2, 3, 4, 5, 6, 7],
      ),
    );
  }

  lines.push('', '### Per client region', '');
  const summaries = regionFallbackSummaries(report);
  if (summaries.length === 0) {
    lines.push('No window was measured.');
  } else {
    const rows = summaries.map((summary) => [
      escapeMarkdown(summary.clientRegion),
      String(summary.windows),
      String(summary.ratedWindows),
      String(summary.flaggedWindows),
      percentOrDash(summary.peak?.rate ?? null),
      summary.peak === null ? '—' : formatUtcMinute(summary.peak.windowStart),
      percentOrDash(summary.peak?.baselineRate ?? null),
      String(summary.sessions),
      String(summary.neverConnected),
    ]);
    lines.push(
      markdownTable(
        ['Client region', 'Windows measured', 'Rated', 'Flagged', 'Peak rate', 'Peak window', 'Baseline at peak', 'Sessions', 'Never connected'],
        rows,
        [1, 2, 3, 4, 6, 7, 8],
      ),
    );
  }
  return lines.join('\n');
}

function policySection(report: AuditReport): string {
  if (report.policyFindings.length === 0) return '## Policy findings\n\nNone: the policy itself allows nothing the fences forbid.';
  const rows = report.policyFindings.map((finding) => [
    escapeMarkdown(finding.id),
    escapeMarkdown(finding.rule),
    finding.severity,
    escapeMarkdown(finding.path),
    escapeMarkdown(finding.message),
  ]);
  return ['## Policy findings', '', markdownTable(['Id', 'Rule', 'Severity', 'Where in the policy', 'Finding'], rows)].join('\n');
}

function suppressedSection(report: AuditReport): string {
  const groups = suppressedGroups(report.findings);
  if (groups.length === 0) return '## Suppressed findings\n\nNone.';
  const rows = groups.map((group) => {
    const sessions = truncatedList(group.findings.map((finding) => finding.sessionId));
    const suppression = escapeMarkdown(
      (group.suppressionIndex === null ? '' : `suppressions[${group.suppressionIndex}]: `) +
        group.reason +
        (group.until === null ? '' : ` (until ${formatUtc(group.until)})`),
    );
    return [
      escapeMarkdown(group.rule),
      suppression,
      String(group.findings.length),
      sessions.shown.map(escapeMarkdown).join(', ') + (sessions.more > 0 ? ` and ${sessions.more} more` : ''),
    ];
  });
  return [
    '## Suppressed findings',
    '',
    'Findings that a suppression in the policy covers: kept for the record, not counted in the verdict.',
    '',
    markdownTable(['Rule', 'Suppression', 'Findings', 'Sessions'], rows, [2]),
  ].join('\n');
}

function countryMismatchSection(report: AuditReport): string {
  const intro =
    'Sessions whose declared client_country differs from the country of their client_ip in the geo database: a VPN, a proxy, a misconfigured client or a stale database. ' +
    'The declared country decides the client region. One line per pair of countries instead of incidents; each session is in affected-sessions.csv under rule country-mismatch.';
  if (report.countryMismatches.length === 0) return `## Country mismatches\n\n${intro}\n\nNone.`;
  const rows = report.countryMismatches.map((mismatch) => [escapeMarkdown(mismatch.declared), escapeMarkdown(mismatch.resolved), String(mismatch.sessions)]);
  return ['## Country mismatches', '', intro, '', markdownTable(['Declared country', 'Country of the address', 'Sessions'], rows, [2])].join('\n');
}

function coverageSection(report: AuditReport): string {
  const intro =
    'Sessions per client region in the audit window, so that no session is invisible: `unknown` means the session had no client country (none declared, none from its address), `unmapped` that no region lists its country; both are outside every fence. ' +
    '"Connected to a fenced region" counts sessions that connected to a datacenter in a fenced region; for `unknown` and `unmapped` these are contacts that no fence can judge, each listed as an unplaced-fenced-contact finding. ' +
    '"Country from IP" counts sessions placed by the geo lookup of their client_ip, having declared no country; "IP without country" those whose address gave no country (see below).';
  if (report.coverage.length === 0) return `## Coverage\n\n${intro}\n\nNo session in the window.`;
  const rows = report.coverage.map((coverage) => [
    escapeMarkdown(coverage.clientRegion),
    String(coverage.sessions),
    String(coverage.connected),
    String(coverage.neverConnected),
    String(coverage.fencedRegionSessions),
    String(coverage.countryFromIp),
    String(coverage.ipWithoutCountry),
  ]);
  const addresses = report.ipResolution.map((resolution) => [
    escapeMarkdown(resolution.status),
    escapeMarkdown(ipStatusText(resolution.status)),
    String(resolution.sessions),
    String(resolution.addresses),
  ]);
  return [
    '## Coverage',
    '',
    intro,
    '',
    markdownTable(
      ['Client region', 'Sessions', 'Connected', 'Never connected', 'Connected to a fenced region', 'Country from IP', 'IP without country'],
      rows,
      [1, 2, 3, 4, 5, 6],
    ),
    '',
    '### Client addresses',
    '',
    "How each session's first client_ip resolved, in the geo database named at the top.",
    '',
    addresses.length === 0 ? 'No session in the window.' : markdownTable(['Outcome', 'Meaning', 'Sessions', 'Addresses'], addresses, [2, 3]),
  ].join('\n');
}

function ingestSection(report: AuditReport): string {
  const ingest = report.ingest;
  const row = [ingest.files, ingest.linesRead, ingest.loaded, ingest.duplicates, ingest.rejected].map(String);
  return [
    '## Ingest',
    '',
    'What the database holds, so that the reader knows what the verdict covers.',
    '',
    markdownTable(['Files', 'Lines read', 'Loaded', 'Duplicates', 'Rejected'], [row], [0, 1, 2, 3, 4]),
    '',
    escapeMarkdown(ingestBalanceText(ingest)),
  ].join('\n');
}

/** Cells must already be escaped; `rightAligned` lists the numeric columns. */
function markdownTable(headers: string[], rows: string[][], rightAligned: number[] = []): string {
  const separator = headers.map((_, column) => (rightAligned.includes(column) ? '---:' : '---'));
  return [headers, separator, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
