/**
 * Hostile values in every string field of the logs and in every name of the
 * policy, through the real pipeline (ingest -> audit -> reports): no SQL error,
 * each value comes back exactly in findings.json and affected-sessions.csv
 * (removing only the documented leading `'`), no HTML breakout, no live
 * spreadsheet formula, and rejected lines keep their raw text.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { Database } from '../../src/db/database.js';
import { HOSTILE_STRINGS } from '../fixtures/report/hostile.js';
import { recordingIo, tempDir, writeFile } from '../helpers.js';
import { FULL, parseCsv, tagMultiset, unneutralise } from './support.js';

const NOW = '2020-04-05T00:00:00.000Z';
const EXTRA_HOSTILE = [
  ';',
  "'; DROP TABLE connections; --",
  '"); DROP TABLE connections; --',
  '$1',
  '$session_id',
  '?',
  '%s%n',
  'NULL',
  '\\',
  '\\u0000',
  '\u0000',
  '\u001b[31mred\u001b[0m',
  '=cmd|\' /C calc\'!A0',
  '=HYPERLINK("http://x","y")',
  '<svg onload=alert(1)>',
  '</textarea></title><script>alert(1)</script>',
  '\u2028\u2029',
  '\ufeff',
];

/** Not one Unicode scalar value short: a lone surrogate cannot be stored as UTF-8 by anyone, so it is not a value a log can carry. */
function isWellFormed(value: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

/** Quotes, semicolons, NUL and control characters, HTML, formulas, arbitrary code points, and very long values. */
function hostile(): fc.Arbitrary<string> {
  const piece = fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS, ...EXTRA_HOSTILE),
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.string({ unit: 'binary-ascii', maxLength: 6 }),
  );
  return fc
    .tuple(fc.array(piece, { minLength: 1, maxLength: 4 }), fc.constantFrom(0, 0, 0, 0, 5000))
    .map(([parts, repeat]) => {
      const value = parts.join('');
      return repeat > 0 && value.length > 0 ? value.repeat(Math.ceil(repeat / value.length)) : value;
    })
    .filter((value) => value !== '' && isWellFormed(value));
}

/** A name the policy accepts (not blank) and a region id that is not reserved. */
const name = () => hostile().filter((value) => value.trim() !== '');
const regionId = () => name().filter((value) => value !== 'unknown' && value !== 'unmapped');

interface Scenario {
  usRegion: string;
  cnRegion: string;
  usDc: string;
  cnDc: string;
  unknownDc: string;
  operator: string;
  fence: string;
  account: string;
  reason: string;
  sessions: [string, string, string, string, string];
  meetings: [string, string];
  users: [string, string];
  ip: string;
  badOutcome: string;
  csvValues: { session: string; meeting: string; user: string };
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    regions: fc.uniqueArray(regionId(), { minLength: 2, maxLength: 2 }),
    dcs: fc.uniqueArray(name(), { minLength: 3, maxLength: 3 }),
    operator: name(),
    fence: name(),
    account: name(),
    reason: name(),
    sessions: fc.uniqueArray(hostile(), { minLength: 5, maxLength: 5 }),
    meetings: fc.tuple(hostile(), hostile()),
    users: fc.tuple(hostile(), hostile()),
    ip: hostile().filter((value) => isIP(value.trim()) === 0),
    badOutcome: hostile().filter((value) => !['connected', 'timeout', 'refused', 'error'].includes(value.trim().toLowerCase())),
    csvMeeting: hostile(),
    csvUser: hostile(),
  })
  // A CSV record is one line: its values cannot hold a line break.
  .filter((s) => ![s.sessions[4]!, s.csvMeeting, s.csvUser, s.account, s.dcs[0]!, s.dcs[1]!].some((v) => /[\r\n]/.test(v)))
  .map((s) => ({
    usRegion: s.regions[0]!,
    cnRegion: s.regions[1]!,
    usDc: s.dcs[0]!,
    cnDc: s.dcs[1]!,
    unknownDc: s.dcs[2]!,
    operator: s.operator,
    fence: s.fence,
    account: s.account,
    reason: s.reason,
    sessions: s.sessions as Scenario['sessions'],
    meetings: s.meetings,
    users: s.users,
    ip: s.ip,
    badOutcome: s.badOutcome,
    csvValues: { session: s.sessions[4]!, meeting: s.csvMeeting, user: s.csvUser },
  }));

const BENIGN: Scenario = {
  usRegion: 'US',
  cnRegion: 'CN',
  usDc: 'us-1',
  cnDc: 'cn-1',
  unknownDc: 'xx-1',
  operator: 'Op',
  fence: 'china',
  account: 'acct',
  reason: 'why',
  sessions: ['s1', 's2', 's3', 's4', 's5'],
  meetings: ['m1', 'm2'],
  users: ['u1', 'u2'],
  ip: '-',
  badOutcome: 'ok',
  csvValues: { session: 's5', meeting: 'm5', user: 'u5' },
};

/**
 * The policy: a US and a CN region, a fence around CN, the CN datacenter on
 * the US backup list (a whitelist finding), an account kept in the US region,
 * and a suppression of the unknown datacenter.
 */
function policyYaml(s: Scenario): string {
  return stringify({
    version: 1,
    regions: { [s.usRegion]: ['US'], [s.cnRegion]: ['CN'] },
    datacenters: [
      { id: s.usDc, country: 'US', operator: s.operator },
      { id: s.cnDc, country: 'CN', operator: s.operator },
    ],
    routing: { [s.usRegion]: { primary: [s.usDc], secondary: [s.cnDc] } },
    fences: [{ id: s.fence, datacenter_regions: [s.cnRegion], client_regions: [s.cnRegion] }],
    accounts: [{ id: s.account, home_region: s.usRegion, allowed_regions: [s.usRegion] }],
    suppressions: [{ rule: 'unknown-datacenter', datacenter: s.unknownDc, until: '2030-01-01', reason: s.reason }],
    // No folding: the yaml library folds long quoted lines between the two halves of a surrogate pair.
  }, { lineWidth: 0 });
}

const TS = ['2020-04-01T10:00:00.000Z', '2020-04-01T10:05:00.000Z', '2020-04-01T10:10:00.000Z', '2020-04-01T10:15:00.000Z', '2020-04-01T10:20:00.000Z'];

/** JSON Lines: a geofence + account-routing session (after its primary timed out), a suppressed unknown datacenter, a clean session, a bad outcome, and a line of invalid UTF-8. */
function jsonLines(s: Scenario): { text: Buffer; badOutcomeLine: string; invalidBytes: Buffer } {
  const lines = [
    { ts: '2020-04-01T09:59:54.000Z', session_id: s.sessions[0], dc_id: s.usDc, outcome: 'timeout', tier: 'primary', client_country: 'US', account_id: s.account, meeting_id: s.meetings[0], user_id: s.users[0] },
    { ts: TS[0], session_id: s.sessions[0], dc_id: s.cnDc, outcome: 'connected', tier: 'secondary', client_country: 'US', account_id: s.account, meeting_id: s.meetings[0], user_id: s.users[0], client_ip: s.ip, traffic: 'key_exchange' },
    { ts: TS[1], session_id: s.sessions[1], dc_id: s.unknownDc, outcome: 'connected', client_country: 'US', meeting_id: s.meetings[1], user_id: s.users[1] },
    { ts: TS[2], session_id: s.sessions[2], dc_id: s.usDc, outcome: 'connected', tier: 'primary', client_country: 'US', client_ip: s.ip },
  ].map((record) => JSON.stringify(record));
  const badOutcomeLine = JSON.stringify({ ts: TS[3], session_id: s.sessions[3], dc_id: s.usDc, outcome: s.badOutcome });
  const invalidBytes = Buffer.concat([Buffer.from('{"session_id":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(s.sessions[3].replace(/[\r\n]/g, ' ')), Buffer.from('"}')]);
  return { text: Buffer.concat([Buffer.from([...lines, badOutcomeLine].join('\n') + '\n'), invalidBytes, Buffer.from('\n')]), badOutcomeLine, invalidBytes };
}

/** CSV (RFC 4180, every field quoted): a second geofence session of the account, also after a primary timeout. */
function csvText(s: Scenario): string {
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
  const header = ['ts', 'session_id', 'dc_id', 'outcome', 'client_country', 'account_id', 'meeting_id', 'user_id', 'traffic'];
  const rows = [
    ['2020-04-01T10:19:54.000Z', s.csvValues.session, s.usDc, 'timeout', 'US', s.account, s.csvValues.meeting, s.csvValues.user, 'media'],
    [TS[4]!, s.csvValues.session, s.cnDc, 'connected', 'US', s.account, s.csvValues.meeting, s.csvValues.user, 'media'],
  ];
  return `${header.join(',')}\n${rows.map((row) => row.map(quote).join(',')).join('\n')}\n`;
}

interface FindingJson {
  rule: string;
  status: string;
  sessionId: string;
  accountId: string | null;
  meetingId: string | null;
  userId: string | null;
  clientRegion: string;
  datacenter: string;
  datacenterRegion: string;
  evidence: { file: string };
  suppression: { reason: string } | null;
}

interface Report {
  findings: FindingJson[];
  incidents: { rule: string; sessionIds: string[]; accounts: string[]; clientRegion: string; datacenterRegion: string; datacenters: { id: string; operator: string | null }[] }[];
  policyFindings: { rule: string; clientRegion: string | null; datacenter: string | null }[];
  datacenters: { id: string; operator: string | null; region: string | null }[];
  coverage: { clientRegion: string }[];
  ingest: { linesRead: number; loaded: number; duplicates: number; rejected: number };
}

interface Outcome {
  dir: string;
  report: Report;
  csv: string;
  html: string;
  markdown: string;
  rejects: { line_no: number; reason: string; raw: string; raw_bytes: number; raw_sha256: string | null }[];
}

/** ingest (into a database file, so the rejects can be read back) then audit, both through the CLI in-process. */
async function runPipeline(s: Scenario): Promise<Outcome> {
  const dir = tempDir();
  const logs = jsonLines(s);
  writeFile(dir, 'logs/a.jsonl', logs.text);
  writeFile(dir, 'logs/b.csv', csvText(s));
  writeFileSync(join(dir, 'policy.yaml'), policyYaml(s));
  const ingest = recordingIo(dir);
  const ingested = await runCli(['ingest', 'logs', '--db', 'h.duckdb'], ingest);
  expect(ingest.err.join(''), 'ingest').toBe('');
  expect(ingested, ingest.out.join('')).toBe(0);
  const io = recordingIo(dir);
  const code = await runCli(['audit', '--db', 'h.duckdb', '--policy', join(dir, 'policy.yaml'), '--out', 'reports', '--now', NOW, '--fail-on', 'none'], io);
  expect(io.err.join(''), 'audit').not.toMatch(/internal error|Error:/);
  expect(code, io.err.join('')).toBe(0);
  const read = (file: string) => readFileSync(join(dir, 'reports/latest', file), 'utf8');
  const db = await Database.open(join(dir, 'h.duckdb'), { readOnly: true });
  let rejects: Outcome['rejects'];
  try {
    rejects = await db.all<Outcome['rejects'][number] & Record<string, string | number | null>>('SELECT line_no, reason, raw, raw_bytes, raw_sha256 FROM rejects ORDER BY file_id, line_no');
  } finally {
    db.close();
  }
  return { dir, report: JSON.parse(read('findings.json')) as Report, csv: read('affected-sessions.csv'), html: read('report.html'), markdown: read('summary.md'), rejects };
}

function expectRoundTrip(s: Scenario, outcome: Outcome): void {
  const { report } = outcome;
  expect(report.ingest).toEqual({ files: 2, linesRead: 8, loaded: 6, duplicates: 0, rejected: 2 });

  // Log values, exactly as logged.
  const bySession = (id: string) => report.findings.filter((f) => f.sessionId === id);
  expect(bySession(s.sessions[0]).map((f) => f.rule).sort()).toEqual(['account-routing', 'geofence']);
  for (const finding of bySession(s.sessions[0])) {
    expect(finding).toMatchObject({ accountId: s.account, meetingId: s.meetings[0], userId: s.users[0], clientRegion: s.usRegion, datacenter: s.cnDc, datacenterRegion: s.cnRegion });
    expect(finding.evidence.file).toBe(join('logs', 'a.jsonl'));
  }
  expect(bySession(s.sessions[1])).toMatchObject([
    { rule: 'unknown-datacenter', status: 'suppressed', meetingId: s.meetings[1], userId: s.users[1], datacenter: s.unknownDc, suppression: { reason: s.reason } },
  ]);
  expect(bySession(s.csvValues.session).map((f) => f.rule).sort()).toEqual(['account-routing', 'geofence']);
  for (const finding of bySession(s.csvValues.session)) {
    expect(finding).toMatchObject({ accountId: s.account, meetingId: s.csvValues.meeting, userId: s.csvValues.user, datacenter: s.cnDc });
  }
  expect(report.findings).toHaveLength(5);
  const geofence = report.incidents.find((i) => i.rule === 'geofence')!;
  expect([...geofence.sessionIds].sort()).toEqual([s.sessions[0], s.csvValues.session].sort());
  expect(geofence).toMatchObject({ clientRegion: s.usRegion, datacenterRegion: s.cnRegion, datacenters: [{ id: s.cnDc, operator: s.operator }] });
  expect(report.incidents.find((i) => i.rule === 'account-routing')!.accounts).toEqual([s.account]);

  // Policy names, exactly as written.
  expect(report.policyFindings.filter((p) => p.rule === 'whitelist')).toMatchObject([{ clientRegion: s.usRegion, datacenter: s.cnDc }]);
  expect(report.datacenters).toEqual([
    { id: s.usDc, country: 'US', operator: s.operator, region: s.usRegion },
    { id: s.cnDc, country: 'CN', operator: s.operator, region: s.cnRegion },
  ]);
  expect(report.coverage.map((c) => c.clientRegion)).toContain(s.usRegion);

  // affected-sessions.csv: the same values, row for row, and no cell a spreadsheet would evaluate.
  const [header, ...rows] = parseCsv(outcome.csv);
  for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  const column = (row: string[], name: string) => unneutralise(row[header!.indexOf(name)]!);
  expect(rows).toHaveLength(report.findings.length);
  rows.forEach((row, index) => {
    const finding = report.findings[index]!;
    expect({
      session_id: column(row, 'session_id'),
      account_id: column(row, 'account_id'),
      meeting_id: column(row, 'meeting_id'),
      user_id: column(row, 'user_id'),
      client_region: column(row, 'client_region'),
      datacenter: column(row, 'datacenter'),
      datacenter_region: column(row, 'datacenter_region'),
      suppression_reason: column(row, 'suppression_reason'),
    }).toEqual({
      session_id: finding.sessionId,
      account_id: finding.accountId ?? '',
      meeting_id: finding.meetingId ?? '',
      user_id: finding.userId ?? '',
      client_region: finding.clientRegion,
      datacenter: finding.datacenter,
      datacenter_region: finding.datacenterRegion,
      suppression_reason: finding.suppression?.reason ?? '',
    });
  });

  // Rejected lines keep their text (the first 4096 characters, with the whole line's hash when longer) and byte length.
  const { badOutcomeLine, invalidBytes } = jsonLines(s);
  const characters = [...badOutcomeLine];
  expect(outcome.rejects.find((r) => r.line_no === 5)).toEqual({
    line_no: 5,
    reason: expect.stringMatching(/^outcome: /),
    raw: characters.slice(0, 4096).join(''),
    raw_bytes: Buffer.byteLength(badOutcomeLine),
    raw_sha256: characters.length > 4096 ? createHash('sha256').update(badOutcomeLine).digest('hex') : null,
  });
  expect(outcome.rejects.find((r) => r.line_no === 6)).toMatchObject({ reason: 'not valid UTF-8', raw_bytes: invalidBytes.length });

  // summary.md: every '<' from a value is backslash-escaped (an even run of backslashes before one would leave it live).
  expect(outcome.markdown).not.toMatch(/(?<!\\)(?:\\\\)*</);
}

describe('hostile values in the logs and the policy, through ingest, audit and reports', () => {
  let benignTags: string[];

  beforeAll(async () => {
    const benign = await runPipeline(BENIGN);
    expectRoundTrip(BENIGN, benign);
    benignTags = tagMultiset(benign.html);
    rmSync(benign.dir, { recursive: true, force: true });
  });

  it('round-trip exactly, and change no tag of report.html (property)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const outcome = await runPipeline(s);
        try {
          expectRoundTrip(s, outcome);
          expect(tagMultiset(outcome.html)).toEqual(benignTags);
          expect(outcome.html.split('<').length - 1).toBe(benignTags.length);
        } finally {
          rmSync(outcome.dir, { recursive: true, force: true });
        }
      }),
      { numRuns: Number(process.env.HOSTILE_RUNS ?? (FULL ? 40 : 4)), endOnFailure: true },
    );
  }, 600_000);
});
