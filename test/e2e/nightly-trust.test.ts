/**
 * End to end, the nine cases of "nightly compliance you can trust" (issue 15): each
 * as a new user met it, through the built CLI, with the corrected behaviour asserted
 * on the reports read back from disk. The clock is always --now: no test depends on
 * the machine's time or zone.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { parseCsv } from '../reliability/support.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const SAMPLE = join(ROOT, 'sample-logs');
const POLICY = join(SAMPLE, 'policy.yaml');
/** The sample policy's whitelist finding for cn-pek1 on the US backup list: the April 2020 root cause. */
const CN_PEK1_WHITELIST = 'W-d678bcf78c';

function routeaudit(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Incident {
  id: string;
  rule: string;
  title: string;
  severity: string;
  diffStatus: string;
  sessionIds: string[];
}
interface Report {
  run: { runId: string; since: string; until: string };
  verdict: { status: string; newIncidents: number; ongoingIncidents: number; incidentSessions: number; inputProblems: number };
  incidents: Incident[];
  findings: { sessionId: string; rule: string; severity: string; incidentId: string | null; otherIncidentIds: string[] }[];
  inputProblems: { kind: string; file: string | null; reason: string }[];
  lateSessions: { sessionId: string; sessionStart: string; files: string[] }[];
  ingest: { rejected: number };
}

const readReport = (folder: string): Report => JSON.parse(readFileSync(join(folder, 'findings.json'), 'utf8')) as Report;
const latest = (cwd: string) => join(cwd, 'reports', 'latest');

function copySample(dir: string, ...names: string[]): void {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  for (const name of names) copyFileSync(join(SAMPLE, name), join(dir, 'logs', name));
}

/** Records keyed by the header row's names. */
function csvRows(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i] ?? ''])));
}

describe('1. a failed input is a finding of the run, in every report format', () => {
  it('names the corrupt file with its reason in md, html, json, csv and OCSF, says incomplete, and exits 2', () => {
    const dir = tempDir();
    copySample(dir, 'connections-2020-04-03.jsonl');
    writeFileSync(join(dir, 'logs', 'broken.jsonl.gz'), gzipSync(Buffer.from('{"ts":"2020-04-03T01:00:00Z"}\n'.repeat(50))).subarray(0, 40));
    const run = routeaudit(['audit', '--logs', 'logs', '--policy', POLICY, '--out', 'reports', '--fail-on', 'none'], dir);
    expect(run.code, run.stderr).toBe(2);
    const folder = latest(dir);
    const report = readReport(folder);
    expect(report.verdict.status).toBe('incomplete');
    expect(report.inputProblems).toEqual([{ kind: 'failed', file: 'logs/broken.jsonl.gz', reason: expect.stringMatching(/decompress/), linesRead: 0, rejected: 0 }]);
    const summary = readFileSync(join(folder, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^\*\*Verdict: INCOMPLETE: 1 input problem/m);
    expect(summary).toMatch(/\| failed \| logs\/broken\.jsonl\.gz \| failed to load: .*decompress/);
    expect(summary).not.toContain('Verdict: clean');
    expect(readFileSync(join(folder, 'report.html'), 'utf8')).toMatch(/<section id="input-problems"[\s\S]*logs\/broken\.jsonl\.gz/);
    expect(csvRows(readFileSync(join(folder, 'input-problems.csv'), 'utf8')).map((r) => [r.kind, r.file])).toEqual([['failed', 'logs/broken.jsonl.gz']]);
    const ocsf = JSON.parse(readFileSync(join(folder, 'findings.ocsf.json'), 'utf8')) as { finding_info: { title: string }; compliance: { status: string } }[];
    expect(ocsf[0]).toMatchObject({ finding_info: { title: 'Input failed to load: logs/broken.jsonl.gz' }, compliance: { status: 'Warning' } });
    expect(run.stderr).toContain('warning: incomplete input: logs/broken.jsonl.gz: ');
  });

  it('names a file whose every line was rejected, and exits 4 even when findings reach --fail-on', () => {
    const dir = tempDir();
    copySample(dir, 'connections-2020-04-03.jsonl');
    writeFileSync(join(dir, 'logs', 'garbled.jsonl'), 'not json\nstill not json\n');
    const run = routeaudit(['audit', '--logs', 'logs', '--policy', POLICY, '--out', 'reports'], dir);
    expect(run.code, run.stderr).toBe(4);
    const report = readReport(latest(dir));
    expect(report.inputProblems).toEqual([
      { kind: 'all-rejected', file: 'logs/garbled.jsonl', reason: expect.stringMatching(/^every line was rejected \(2 lines\); the first, line 1: /), linesRead: 2, rejected: 2 },
    ]);
    expect(report.verdict.status).toBe('incomplete');
  });
});

describe('2. late logs are audited by arrival', () => {
  it("puts a late critical session in night 2's report, saying from which file", () => {
    const dir = tempDir();
    copySample(dir, 'connections-2020-03-31.jsonl.gz');
    const night1 = routeaudit(['nightly', '--logs', 'logs', '--policy', POLICY, '--now', '2020-04-01T06:00:00Z', '--fail-on', 'none'], dir);
    expect(night1.code, night1.stderr).toBe(0);
    expect(readReport(latest(dir)).run.since).toBe('2020-03-31T00:00:00.000Z');

    // Before night 2: a late file with a US session on cn-pek1, keys exchanged, on the night already audited.
    const late = [
      { ts: '2020-03-31T23:10:00Z', session_id: 'late-us-1', dc_id: 'us-sjc1', outcome: 'timeout', tier: 'primary', client_country: 'US' },
      { ts: '2020-03-31T23:10:06Z', session_id: 'late-us-1', dc_id: 'cn-pek1', outcome: 'connected', tier: 'secondary', client_country: 'US', traffic: 'key_exchange' },
    ];
    writeFileSync(join(dir, 'logs', 'late-2020-03-31.jsonl'), late.map((r) => JSON.stringify(r)).join('\n') + '\n');
    copySample(dir, 'connections-2020-04-01.jsonl.gz');
    const night2 = routeaudit(['nightly', '--logs', 'logs', '--policy', POLICY, '--now', '2020-04-02T06:00:00Z', '--fail-on', 'none'], dir);
    expect(night2.code, night2.stderr).toBe(0);
    const report = readReport(latest(dir));
    expect(report.run.since).toBe('2020-04-01T00:00:00.000Z');
    expect(report.lateSessions).toContainEqual({ sessionId: 'late-us-1', sessionStart: '2020-03-31T23:10:00.000Z', files: ['logs/late-2020-03-31.jsonl'] });
    const finding = report.findings.find((f) => f.sessionId === 'late-us-1' && f.rule === 'geofence');
    expect(finding?.severity).toBe('critical');
    expect(report.incidents.find((i) => i.id === finding!.incidentId)?.severity).toBe('critical');
    const summary = readFileSync(join(latest(dir), 'summary.md'), 'utf8');
    expect(summary).toMatch(/## Late arrivals \(\d+\)/);
    expect(summary).toMatch(/\| logs\/late-2020-03-31\.jsonl \| 1 \| 2020-03-31 23:10:00 UTC \| 2020-03-31 23:10:00 UTC \|/);

    // The watermark moved: a re-run of night 3 with nothing new has no late session.
    const night3 = routeaudit(['nightly', '--logs', 'logs', '--policy', POLICY, '--now', '2020-04-03T06:00:00Z', '--fail-on', 'none'], dir);
    expect(night3.code).toBe(4); // 04-02 has no logs here: no data, see case 8
    expect(readReport(latest(dir)).lateSessions).toEqual([]);
  });
});

describe('3. statuses come from the incident ledger', () => {
  it('a run over the two nights already audited finds nothing new; a 7-day run calls new only what no night reported', () => {
    const dir = tempDir();
    copySample(dir, 'connections-2020-03-30.jsonl', 'connections-2020-03-31.jsonl.gz', 'connections-2020-04-01.jsonl.gz', 'connections-2020-04-02.csv', 'connections-2020-04-03.jsonl');
    const reported = new Map<string, string[]>();
    for (const now of ['2020-04-02T06:00:00Z', '2020-04-03T06:00:00Z']) {
      expect(routeaudit(['nightly', '--logs', 'logs', '--policy', POLICY, '--now', now, '--fail-on', 'none'], dir).code).toBe(0);
      for (const incident of readReport(latest(dir)).incidents) reported.set(incident.id, incident.sessionIds);
    }
    expect(reported.size).toBeGreaterThan(5);

    const both = routeaudit(['nightly', '--logs', 'logs', '--policy', POLICY, '--now', '2020-04-03T06:00:00Z', '--window', '48h', '--fail-on', 'none'], dir);
    expect(both.code).toBe(0);
    const twoDays = readReport(latest(dir));
    expect(twoDays.verdict.newIncidents).toBe(0);
    expect(twoDays.incidents.every((i) => i.diffStatus === 'ongoing' && reported.has(i.id))).toBe(true);

    expect(routeaudit(['nightly', '--logs', 'logs', '--policy', POLICY, '--now', '2020-04-04T06:00:00Z', '--window', '7d', '--fail-on', 'none'], dir).code).toBe(0);
    const week = readReport(latest(dir));
    const nightSessions = new Set([...reported.values()].flat());
    for (const incident of week.incidents) {
      const seenBefore = reported.has(incident.id) || incident.sessionIds.some((s) => nightSessions.has(s));
      expect([incident.id, incident.diffStatus]).toEqual([incident.id, seenBefore ? 'ongoing' : 'new']);
    }
    expect(week.incidents.filter((i) => i.diffStatus === 'ongoing').length).toBeGreaterThan(week.verdict.newIncidents);
  });
});

describe('4. policy check gates on the policy-only findings', () => {
  it('reports the critical whitelist entry of the sample policy and exits 1; --fail-on none exits 0', () => {
    const dir = tempDir();
    const check = routeaudit(['policy', 'check', POLICY], dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(new RegExp(`${CN_PEK1_WHITELIST}\\s+critical\\s+whitelist\\s+routing\\.US\\.secondary\\[5\\]`));
    expect(check.stderr).toContain('at or above --fail-on high (exit 1)');
    expect(routeaudit(['policy', 'check', POLICY, '--fail-on', 'none'], dir).code).toBe(0);
  });
});

describe('5. ingest of a file whose every line was rejected', () => {
  it('exits 4, says so, and warns about --map only when the column is really absent', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'logs'));
    // Every record has the mapped column acct, but every line has an outcome the schema refuses.
    const bad = [1, 2, 3].map((n) => JSON.stringify({ ts: '2020-04-01T08:00:00Z', session_id: `s${n}`, dc_id: 'us-sjc1', outcome: 'maybe', acct: 'a1' }));
    writeFileSync(join(dir, 'logs', 'bad.jsonl'), bad.join('\n') + '\n');
    const ingest = routeaudit(['ingest', 'logs', '--db', 'x.duckdb', '--map', 'account_id=acct'], dir);
    expect(ingest.code).toBe(4);
    expect(ingest.stdout).toContain('error: logs/bad.jsonl: every line was rejected (3); nothing was loaded');
    expect(ingest.stdout).not.toContain('--map account_id');
    expect(ingest.stderr).toContain('1 of 1 file loaded nothing: every line was rejected (exit 4)');

    writeFileSync(join(dir, 'logs', 'good.jsonl'), JSON.stringify({ ts: '2020-04-01T08:00:00Z', session_id: 'g1', dc_id: 'us-sjc1', outcome: 'connected' }) + '\n');
    const typo = routeaudit(['ingest', 'logs/good.jsonl', '--db', 'y.duckdb', '--map', 'account_id=acct'], dir);
    expect(typo.code).toBe(0);
    expect(typo.stdout).toContain('warning: logs/good.jsonl: --map account_id=acct: no record has a value there');
  });
});

describe('6 and 7. the npm start run: a hint that works, and reports that count right', () => {
  // One run for both tests, in a folder of this block's own (tempDir cleans up after each test).
  const dir = mkdtempSync(join(tmpdir(), 'routeaudit-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let run: ReturnType<typeof routeaudit>;
  beforeAll(() => {
    // package.json "start", from a fresh clone's point of view.
    run = routeaudit(['audit', '--logs', SAMPLE, '--policy', POLICY, '--out', 'reports', '--fail-on', 'none'], dir);
  });
  const folder = latest(dir);

  it('points at the rejects.csv of the run folder, which holds every rejected line', () => {
    expect(run.code, run.stderr).toBe(0);
    const hint = /the rejected lines of this run are in (reports\/\S+)\/rejects\.csv/.exec(run.stderr);
    expect(hint, run.stderr).not.toBeNull();
    const rejects = csvRows(readFileSync(join(dir, hint![1]!, 'rejects.csv'), 'utf8'));
    expect(rejects).toHaveLength(readReport(folder).ingest.rejected);
    expect(rejects).toHaveLength(5);
    expect(rejects.every((r) => r.file!.length > 0 && Number(r.line) > 0 && r.reason!.length > 0)).toBe(true);
    expect(run.stderr).not.toMatch(/with: routeaudit rejects/);
  });

  it('gives every session row its own severity and its incident severity, marks shared sessions, and counts distinct sessions', () => {
    const report = readReport(folder);
    const rows = csvRows(readFileSync(join(folder, 'affected-sessions.csv'), 'utf8'));
    const critical = report.incidents.filter((i) => i.severity === 'critical').map((i) => i.id);
    const criticalRows = rows.filter((r) => critical.includes(r.incident_id!));
    expect(criticalRows.length).toBeGreaterThan(0);
    expect(criticalRows.every((r) => r.incident_severity === 'critical' && ['high', 'critical'].includes(r.finding_severity!))).toBe(true);
    expect(Object.keys(rows[0]!).filter((k) => k.includes('severity'))).toEqual(['finding_severity', 'incident_severity']);

    const incidentsOf = new Map<string, Set<string>>();
    for (const f of report.findings) if (f.incidentId !== null) incidentsOf.set(f.sessionId, (incidentsOf.get(f.sessionId) ?? new Set()).add(f.incidentId));
    const shared = [...incidentsOf].filter(([, ids]) => ids.size > 1);
    expect(shared.length).toBeGreaterThan(0);
    for (const r of rows.filter((row) => row.incident_id !== '')) {
      const others = [...incidentsOf.get(r.session_id!)!].filter((id) => id !== r.incident_id).sort();
      expect(r.also_in_incidents, r.session_id).toBe(others.join(';'));
    }
    expect(report.verdict.incidentSessions).toBe(incidentsOf.size);
    expect(report.verdict.incidentSessions).toBeLessThan(report.incidents.reduce((n, i) => n + i.sessionIds.length, 0));
    expect(readFileSync(join(folder, 'summary.md'), 'utf8')).toContain(`(${incidentsOf.size} distinct sessions)`);
    expect(new Set(report.incidents.map((i) => i.title)).size).toBe(report.incidents.length);
  });
});

describe('8. a night with no logs', () => {
  it('exits 4, not 1, though the policy has a critical finding every night', () => {
    const dir = tempDir();
    copySample(dir, 'connections-2020-03-30.jsonl');
    const night = routeaudit(['nightly', '--logs', 'logs', '--policy', POLICY, '--now', '2020-04-03T06:00:00Z'], dir);
    expect(night.code).toBe(4);
    const report = readReport(latest(dir));
    expect(report.verdict.status).toBe('incomplete');
    expect(report.inputProblems).toEqual([
      { kind: 'no-data', file: null, reason: expect.stringContaining('no session started in 2020-04-02T00:00:00.000Z .. 2020-04-03T00:00:00.000Z'), linesRead: 0, rejected: 0 },
    ]);
    expect(night.stderr).toContain('warning: incomplete input: no session started in');
  });
});

describe('9. sample --out', () => {
  it('refuses a folder that is not empty, and writes into it with --force', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'policy.yaml'), 'my edited policy\n');
    const refused = routeaudit(['sample', '--out', 'mine', '--sessions', '200'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--out mine is not empty; name a new or empty folder, or add --force');
    expect(readFileSync(join(dir, 'mine', 'policy.yaml'), 'utf8')).toBe('my edited policy\n');
    expect(routeaudit(['sample', '--out', 'mine', '--sessions', '200', '--force'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'mine', 'policy.yaml'), 'utf8')).not.toBe('my edited policy\n');
    expect(routeaudit(['sample', '--out', 'fresh', '--sessions', '200'], dir).code).toBe(0);
    expect(existsSync(join(dir, 'fresh', 'policy.yaml'))).toBe(true);
  });
});
