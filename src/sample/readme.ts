/**
 * The sample's README, written with the files so that its line numbers,
 * session ids and counts are those of the files next to it, for any seed.
 */
import type { DeliberateLine, LogFile, SampleFile } from './files.js';
import { OFFICE_NETWORK, UNLISTED_CHINA_ADDRESS } from './sources.js';
import type { FallbackCount, ScenarioSummary } from './summary.js';
import { SURGE, SURGE_PEAK_TIMEOUT_SHARE, type ScriptedSession } from './traffic.js';
import { isCloud, regionOfDatacenter, routeFor, type PolicyDocument } from './world.js';

export interface ReadmeInput {
  sessions: number;
  seed: number;
  logs: LogFile[];
  /** The same story as other sources record it (sources/). */
  sources: SampleFile[];
  deliberate: DeliberateLine[];
  scripted: ScriptedSession[];
  summary: ScenarioSummary;
  policy: PolicyDocument;
}

const DELIBERATE_TITLES: Record<DeliberateLine['kind'], string> = {
  'invalid-json': 'invalid JSON',
  'missing-session-id': 'missing session_id',
  'bad-outcome': 'bad outcome',
  'bad-timestamp': 'unparsable ts',
  'blank-line': 'blank line',
  'duplicate-record': 'duplicate record',
};

export function renderReadme(input: ReadmeInput): string {
  const { summary, policy } = input;
  const us = routeFor('US');
  const fenced = new Set(policy.fences.flatMap((fence) => fence.datacenter_regions));
  const whitelistMistakes = us.secondary.flatMap((dcId, index) => (fenced.has(regionOfDatacenter(dcId) ?? '') ? [{ dcId, index }] : []));
  const toChina = (region: string) => summary.connectedToChina.find((entry) => entry.clientRegion === region) ?? { sessions: 0, withKeyExchange: 0, outsideSurge: 0 };
  const cloud = policy.datacenters.filter((dc) => isCloud(dc.id)).length;
  const surgeDay = isoDate(SURGE.startMs);

  return [
    '# Sample logs',
    '',
    'Synthetic connection logs that reproduce the April 2020 routing incident, with the routing policy they are audited against.',
    `\`routeaudit sample\` wrote everything in this folder (${input.sessions} sessions, seed ${input.seed}); regenerate it from the repository root rather than edit it:`,
    '',
    '```sh',
    `npm run build && node dist/cli.js sample --out sample-logs --sessions ${input.sessions} --seed ${input.seed}`,
    '```',
    '',
    'The same seed writes the same bytes; test/sample.test.ts fails when the committed files drift from what the generator writes.',
    'Every session, account, user, meeting and address is invented: client addresses are random hosts in consumer ISP blocks of each country,',
    'with documentation addresses (198.51.100.0/24, 2001:db8::/32) for two lab clients, and addresses abroad for three clients on a VPN.',
    '',
    '## The story',
    '',
    `- **Traffic.** Five weekdays, 2020-03-30 to 2020-04-03 UTC: ${summary.sessions} sessions (one client's join each) making ${summary.records} connection attempts,`,
    `  in ${Object.keys(policy.regions).length} customer-selectable regions served by ${policy.datacenters.length} datacenters (${policy.datacenters.length - cloud} colocated, ${cloud} public cloud).`,
    "  Meetings start when their host's country is at work; a session tries its region's primaries, and after a timeout",
    `  (${policy.fallback.primary_timeout_ms} ms, so the next attempt starts about 5.5 s later) the backup-bridge whitelist. Once connected it logs its`,
    '  signaling attempt and, on the same datacenter, media, key exchange or other traffic.',
    `- **The root cause.** \`policy.yaml\` puts ${whitelistMistakes.map(({ dcId, index }) => `${dcId} (\`routing.US.secondary[${index}]\`)`).join(' and ')}`,
    '  on the US whitelist, although the `china` fence reserves Chinese datacenters for Chinese clients.',
    `- **The trigger.** On ${surgeDay} from ${hourMinute(SURGE.startMs)} to ${hourMinute(SURGE.endMs)} UTC (US business hours) the US primaries ${us.primary.join(', ')}`,
    `  are overloaded and up to ${SURGE_PEAK_TIMEOUT_SHARE * 100}% of the attempts on them time out. ${fallbackSentence(summary.usFallbackInSurge)} during the surge,`,
    `  against ${percent(summary.usFallbackOutsideSurge)} in the rest of the week (the policy alerts above ${policy.fallback.max_rate * 100}% per ${policy.fallback.window}).`,
    `- **The symptom.** The backup bridge prefers idle capacity, and at that hour it is night in China: ${toChina('US').sessions} US sessions connected to`,
    `  a Chinese datacenter, ${toChina('US').withKeyExchange} of them with \`key_exchange\` traffic there.` +
      (toChina('US').outsideSurge > 0
        ? ` ${toChina('US').outsideSurge} of them started outside the surge: the whitelist was wrong all week, and the rare ordinary fallbacks reached China too.`
        : ''),
    `- **Canada.** During the surge the overloaded US steering also answered some Canadian clients, which then used the US lists:`,
    `  ${toChina('CA').sessions} Canadian sessions connected to China (${toChina('CA').withKeyExchange} with \`key_exchange\`), and Canadian sessions on US`,
    '  datacenters that are on neither Canadian list are `unlisted-datacenter` findings. Their client region is still CA: it comes from their country.',
    '',
    `US sessions by start hour on ${surgeDay} (UTC), by the tier of their last connected attempt:`,
    '',
    '| hour (UTC) | connected | via secondary | share |',
    '|---|--:|--:|--:|',
    ...summary.usFallbackByHour.map((hour) => `| ${hourMinute(hour.hourStartMs)} | ${hour.connected} | ${hour.viaSecondary} | ${percent(hour)} |`),
    '',
    'Sessions by client region (first non-null `client_country`, else the country of the first `client_ip`; `unknown` without either,',
    '`unmapped` when no region lists the country):',
    '',
    `| ${summary.sessionsByClientRegion.map((entry) => entry.region).join(' | ')} |`,
    `|${summary.sessionsByClientRegion.map(() => '--:').join('|')}|`,
    `| ${summary.sessionsByClientRegion.map((entry) => entry.sessions).join(' | ')} |`,
    '',
    `${summary.neverConnected} sessions never connected.`,
    '',
    '## Files',
    '',
    '| file | format | lines | records |',
    '|---|---|--:|--:|',
    ...input.logs.map((file) => `| \`${file.path}\` | ${file.description} | ${file.lines} | ${file.records} |`),
    '| `policy.yaml` | the routing policy (docs/policy.md) | | |',
    '',
    'Lines count the uncompressed text, CSV header included; records are the attempts in a file, the duplicated one included.',
    "Ingest the logs (`routeaudit ingest 'sample-logs/connections-*' sample-logs/redelivered`) and expect every line to be loaded, counted as a duplicate, or rejected:",
    'the re-delivered file loads nothing, the duplicated record is stored once, and the malformed lines below land in `rejects`.',
    '',
    '## The same story from other sources',
    '',
    'The first two hours of the surge as two other teams hold them (docs/sources.md); audit each on its own, since they are other records of the same meetings:',
    '',
    '| file | source | lines |',
    '|---|---|--:|',
    ...input.sources.map((file) => `| \`${file.path}\` | ${file.path.endsWith('.log') ? 'zeek-conn: a network sensor\'s Zeek conn.log (TSV)' : 'zoom-participants: a Zoom Dashboard participant page of one meeting'} | ${file.lines} |`),
    '',
    '- In `conn.log` a datacenter is only an address: each catalog datacenter answers from its `networks:` block in policy.yaml (198.18.0.0/15).',
    `  Three connections go to ${UNLISTED_CHINA_ADDRESS}, a server in China that no catalog lists: the geo database places it, and US clients reaching it are`,
    `  \`geofence\` and \`unknown-datacenter\` findings. acme's staff appear with office addresses in ${OFFICE_NETWORK.network}, which \`client_networks:\` places in ${OFFICE_NETWORK.country}.`,
    '- In the Zoom pages a datacenter is a display name such as `China (PEK)`, placed by the catalog\'s `names:`. The meeting id is the file name\'s.',
    "  One participant served in the US has a second datacenter in China on its path (`full_data_center`); each page ends with an external guest whose ids and",
    '  datacenter Zoom left blank: kept, and reported as datacenter `not-reported`.',
    '- Neither shows a client\'s successive attempts, so `premature-fallback` and `fallback-rate` are reported as not assessable from these sources.',
    '',
    '```sh',
    'routeaudit audit --logs sample-logs/sources/conn.log --source zeek-conn --policy sample-logs/policy.yaml --out reports',
    'routeaudit audit --logs sample-logs/sources/zoom --source zoom-participants --policy sample-logs/policy.yaml --out reports',
    '```',
    '',
    '## Deliberate faults',
    '',
    '| file | line | fault | detail |',
    '|---|--:|---|---|',
    ...input.deliberate.map((entry) => `| \`${entry.file}\` | ${entry.line} | ${DELIBERATE_TITLES[entry.kind]} | ${escapeCell(entry.note)} |`),
    '',
    'And variations that are not faults, which the ingester and the audit must take in their stride:',
    '',
    '- `client_app` on the first record of each session is not a log field and must be ignored; in the CSV it is the last column,',
    '  quoted where it holds a comma or a double quote.',
    '- `tier` is absent from about 15% of the sessions (infer it from the policy); `account_id` from about 1%.',
    '- `client_country` is lower case in about 2% of the sessions, missing from the first record only in about 2% (take the first',
    '  non-null one), and absent altogether, with the address present, in about 1% (the geo lookup of the address places them).',
    '- APAC clients write local time with its offset (`+05:30`, `+08:00`, `+09:00`, `+11:00`, `+13:00`); the others write UTC with `Z`.',
    '- About 8% of the clients in countries with IPv6 blocks connect over IPv6.',
    '- Sessions may span files: a file holds the attempts whose `ts` falls on its UTC day.',
    '',
    '## Scripted sessions',
    '',
    'Beside the simulated traffic, these sessions exist so that every rule and edge case has something to find, whatever the seed:',
    '',
    '| session | case | what it is and what the audit should say |',
    '|---|---|---|',
    ...input.scripted.map((session) => `| \`${session.sessionId}\` | ${session.case} | ${escapeCell(session.note)} |`),
    '',
    '## What an audit of this folder should find',
    '',
    `- \`whitelist\` (critical): ${whitelistMistakes.map(({ index }) => `\`routing.US.secondary[${index}]\``).join(' and ')}.`,
    `- \`fallback-rate\`: the US windows of ${surgeDay} between ${hourMinute(SURGE.startMs)} and ${hourMinute(SURGE.endMs)} UTC (the table above).`,
    `- \`geofence\`: US and Canadian sessions on cn-pek1 and cn-sha1${toChina('US').outsideSurge > 0 ? `, ${toChina('US').outsideSurge} US ones outside the surge` : ''},`,
    '  critical where they exchanged keys there;',
    '  `geofence-contact`: sessions that tried a Chinese datacenter without connecting to it. Chinese clients on Chinese datacenters are no finding.',
    '- `unlisted-datacenter`: the Canadian sessions that connected to US datacenters off the Canadian lists, and to China.',
    `- \`account-routing\`: ${policy.accounts.map((account) => account.id).join(' and ')} sessions outside their allowed regions;`,
    '  the acme sessions on eu-ams1 are suppressed (SEC-1), and the expired suppression SEC-7 is reported, not applied.',
    '- `unknown-datacenter` and `premature-fallback`: the scripted sessions above.',
    '- `country-mismatch` (low): the VPN sessions above, summarised per pair of countries. The lab clients on documentation',
    '  addresses are none: those ranges resolve to no country, whatever a geo database lists for them.',
    '',
  ].join('\n');
}

function fallbackSentence(count: FallbackCount): string {
  return `${count.viaSecondary} of the ${count.connected} US sessions that connected did so via a secondary (${percent(count)})`;
}

function percent(count: FallbackCount): string {
  return count.connected === 0 ? '-' : `${((100 * count.viaSecondary) / count.connected).toFixed(1)}%`;
}

function isoDate(tMs: number): string {
  return new Date(tMs).toISOString().slice(0, 10);
}

function hourMinute(tMs: number): string {
  return new Date(tMs).toISOString().slice(11, 16);
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}
