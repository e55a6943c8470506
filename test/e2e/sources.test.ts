/**
 * End to end on the sample's other sources (sample-logs/sources/, written by src/sample/sources.ts):
 * the surge afternoon as a Zeek sensor and a Zoom participant export saw it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');

interface Finding {
  rule: string;
  sessionId: string;
  meetingId: string | null;
  clientRegion: string;
  countrySource: string | null;
  datacenter: string;
  datacenterRegion: string;
  evidence: { file: string; line: number; loggedDatacenter: string; placedBy: string | null };
}
interface Report {
  findings: Finding[];
  notAssessable: { rule: string; needs: string; sessions: number; sources: string[] }[];
  coverage: { clientRegion: string; sessions: number }[];
  ingest: { linesRead: number; loaded: number; duplicates: number; rejected: number };
}

function audit(logs: string[], extra: string[] = []): { code: number | null; stderr: string; report: Report } {
  const out = tempDir();
  const result = spawnSync(process.execPath, [CLI, 'audit', '--logs', ...logs, '--policy', 'sample-logs/policy.yaml', '--out', out, '--fail-on', 'none', '--now', '2026-11-27T00:00:00Z', ...extra], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const report = JSON.parse(readFileSync(join(out, 'latest', 'findings.json'), 'utf8')) as Report;
  return { code: result.status, stderr: result.stderr, report };
}

const sessionsOf = (report: Report, rule: string) => [...new Set(report.findings.filter((f) => f.rule === rule).map((f) => f.sessionId))].sort();

describe('the sample as a Zeek sensor saw it', () => {
  const { code, stderr, report } = audit(['sample-logs/sources/conn.log']);
  const lines = readFileSync(join(ROOT, 'sample-logs/sources/conn.log'), 'utf8').split('\n');
  const records = lines.map((line, i) => ({ line: i + 1, fields: line.split('\t') })).filter((r) => r.fields.length === 22 && !r.fields[0]!.startsWith('#'));

  it('is recognised as zeek-conn and every record is loaded', () => {
    expect(code).toBe(0);
    expect(stderr).toMatch(/sources\/conn\.log\s+zeek-conn\s+loaded\s+276\s+276\s+0\s+0\s+read as zeek-conn: 276 records; 9 header or comment lines/);
    expect(report.ingest).toEqual({ ...report.ingest, linesRead: records.length, loaded: records.length, duplicates: 0, rejected: 0 });
  });

  it('places catalog servers by their networks, the unlisted server in China by the geo database, office clients by client_networks', () => {
    const geofence = report.findings.filter((f) => f.rule === 'geofence');
    // Exactly the non-Chinese clients' connections (SF) to a 198.18.x address of a Chinese datacenter or to 1.2.4.8.
    const chinese = new Set(['198.18.12.', '198.18.13.', '198.18.21.']);
    const expected = records
      .filter((r) => r.fields[11] === 'SF' && (chinese.has(r.fields[4]!.replace(/\d+$/, '')) || r.fields[4] === '1.2.4.8'))
      .map((r) => r.fields[1]!);
    const geofenced = geofence.map((f) => f.sessionId).sort();
    expect(geofenced.every((id) => expected.includes(id))).toBe(true);
    expect(geofence.every((f) => f.clientRegion !== 'CN' && f.datacenterRegion === 'CN')).toBe(true);
    expect(geofence.filter((f) => f.datacenter === '1.2.4.8').map((f) => f.evidence.placedBy)).toEqual(['geo', 'geo', 'geo']);
    expect(new Set(geofence.filter((f) => f.datacenter !== '1.2.4.8').map((f) => f.evidence.placedBy))).toEqual(new Set(['network']));
    expect(sessionsOf(report, 'unknown-datacenter')).toEqual(geofence.filter((f) => f.datacenter === '1.2.4.8').map((f) => f.sessionId).sort());
    // Chinese clients on Chinese servers are no finding: every expected session not found is one of theirs.
    const clientsOf = new Map(records.map((r) => [r.fields[1]!, r.fields[2]!]));
    expect(expected.filter((id) => !geofenced.includes(id)).every((id) => /^(36\.112|58\.33|111\.196|117\.136|180\.168)\./.test(clientsOf.get(id)!))).toBe(true);
    // acme's staff behind the office range (10.20.0.0/16): placed in the US by client_networks, not by the geo database.
    const office = new Set(records.filter((r) => r.fields[2]!.startsWith('10.20.')).map((r) => r.fields[1]!));
    expect(office.size).toBe(11);
    const us = report.coverage.find((c) => c.clientRegion === 'US') as { countryFromNetwork: number } | undefined;
    expect(us?.countryFromNetwork).toBe(office.size);
    expect(report.findings.filter((f) => office.has(f.sessionId)).every((f) => f.countrySource === 'network')).toBe(true);
  });

  it('says the fallback rules could not judge its sessions, and runs neither', () => {
    expect(report.notAssessable).toEqual([
      { rule: 'fallback-rate', needs: 'attempt-sequence', sessions: 276, sources: ['zeek-conn'] },
      { rule: 'premature-fallback', needs: 'attempt-sequence', sessions: 276, sources: ['zeek-conn'] },
    ]);
    expect(sessionsOf(report, 'premature-fallback')).toEqual([]);
  });
});

describe('the sample as a Zoom participant export saw it', () => {
  const { code, report } = audit(['sample-logs/sources/zoom']);
  const files = readdirSync(join(ROOT, 'sample-logs/sources/zoom')).sort();
  const pages = files.map((name) => JSON.parse(readFileSync(join(ROOT, 'sample-logs/sources/zoom', name), 'utf8')) as { participants: Record<string, string>[] });
  const participants = pages.flatMap((p) => p.participants);

  it('keeps every participant, the external guests without a datacenter included', () => {
    expect(code).toBe(0);
    const hops = participants.filter((p) => p.full_data_center!.split(';').filter((h) => h !== '' && h !== p.data_center).length > 0).length;
    expect(report.ingest).toEqual({ ...report.ingest, linesRead: participants.length + hops, loaded: participants.length + hops, rejected: 0 });
    const guests = report.findings.filter((f) => f.rule === 'unknown-datacenter');
    expect(guests.map((f) => f.datacenter)).toEqual(files.map(() => 'not-reported'));
    // The meeting id comes from the file name.
    expect(guests.map((f) => f.meetingId).sort()).toEqual(files.map((name) => /(\d+)/.exec(name)![1]).sort());
  });

  it('finds the sessions served in China or routed through it, placed by the names the export uses', () => {
    const expected = pages.flatMap((page, i) =>
      page.participants
        .filter((p) => /^China/.test(p.data_center!) || p.full_data_center!.includes('China'))
        .filter((p) => !/^(36\.112|58\.33|111\.196|117\.136|180\.168)\./.test(p.ip_address!))
        .map((p) => `${/(\d+)/.exec(files[i]!)![1]}/${p.user_id}/${p.join_time}`),
    );
    const geofence = report.findings.filter((f) => f.rule === 'geofence');
    expect(geofence.map((f) => f.sessionId).sort()).toEqual(expected.sort());
    expect(geofence.every((f) => f.evidence.placedBy === 'name' && /^China \(/.test(f.evidence.loggedDatacenter))).toBe(true);
    expect(sessionsOf(report, 'premature-fallback')).toEqual([]);
    expect(report.notAssessable.map((n) => [n.rule, n.sources])).toEqual([
      ['fallback-rate', ['zoom-participants']],
      ['premature-fallback', ['zoom-participants']],
    ]);
  });
});

describe('choosing and declaring sources', () => {
  function ingest(dir: string, args: string[]) {
    const result = spawnSync(process.execPath, [CLI, 'ingest', ...args, '--db', ':memory:'], { cwd: dir, encoding: 'utf8' });
    return { code: result.status, out: result.stdout + result.stderr };
  }

  it('--source routeaudit reads a file as the native schema even when a built-in would recognise it', () => {
    const dir = tempDir();
    const recognised = ingest(ROOT, ['sample-logs/sources/conn.log']);
    expect(recognised.out).toMatch(/conn\.log\s+zeek-conn\s+loaded/);
    const native = spawnSync(process.execPath, [CLI, 'ingest', join(ROOT, 'sample-logs/sources/conn.log'), '--source', 'routeaudit', '--db', ':memory:'], { cwd: dir, encoding: 'utf8' });
    expect(native.status).toBe(4);
    expect(native.stdout).toMatch(/conn\.log\s+jsonl\s+loaded\s+285\s+0\s+0\s+285/);
  });

  it('a ts without UTC offset needs a declared zone whatever expression gives it, and is read in that zone', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'u.jsonl'), '{"when":"2020-04-01 09:00:00","sid":"a","dc":"x","ok":"connected"}\n');
    writeFileSync(join(dir, 'mine.yaml'), 'source: mine\nformat: jsonl\nfields:\n  ts: when\n  session_id: sid\n  dc_id: dc\n  outcome: ok\n');
    const refused = ingest(dir, ['u.jsonl', '--source', 'mine.yaml']);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('error: u.jsonl: line 1: ts "2020-04-01 09:00:00" has no UTC offset, and no time zone was declared: give it with --timezone ZONE');
    const zoned = spawnSync(process.execPath, [CLI, 'audit', '--logs', 'u.jsonl', '--source', 'mine.yaml', '--timezone', 'Asia/Shanghai', '--policy', join(ROOT, 'sample-logs/policy.yaml'), '--out', 'r', '--fail-on', 'none', '--since', '2020-04-01T00:00:00Z', '--until', '2020-04-02T00:00:00Z'], { cwd: dir, encoding: 'utf8' });
    expect(zoned.status, zoned.stderr).toBe(0);
    const findings = JSON.parse(readFileSync(join(dir, 'r', 'latest', 'findings.json'), 'utf8')) as { findings: { sessionId: string; sessionStart: string }[] };
    expect(findings.findings.map((f) => [f.sessionId, f.sessionStart])).toEqual([['a', '2020-04-01T01:00:00.000Z']]);
  });
});

describe('a source that says records are missing', () => {
  it('makes the run incomplete (exit 4) and names the file, the line and the reason; NODATA is only a reject', () => {
    const dir = tempDir();
    // AWS's own examples (VPC user guide, "Flow log record examples"), with the S3 header line.
    writeFileSync(
      join(dir, 'flows.log'),
      [
        'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
        '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
        '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
        '2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA',
        '',
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, [CLI, 'audit', '--logs', 'flows.log', '--policy', join(ROOT, 'sample-logs/policy.yaml'), '--out', 'r', '--now', '2026-11-27T00:00:00Z'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(4);
    expect(run.stderr).toContain(
      'warning: incomplete input: flows.log: the source says records are missing: 1 record like line 4: log-status SKIPDATA: AWS skipped flow records in this interval',
    );
    const report = JSON.parse(readFileSync(join(dir, 'r', 'latest', 'findings.json'), 'utf8')) as { inputProblems: { kind: string; file: string }[]; ingest: Report['ingest'] };
    expect(report.inputProblems.map((p) => [p.kind, p.file])).toEqual([['source-gap', 'flows.log']]);
    expect(report.ingest).toMatchObject({ linesRead: 3, loaded: 1, duplicates: 0, rejected: 2 });
  });
});
