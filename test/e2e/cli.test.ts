/**
 * End to end: the built CLI (dist/cli.js, which `npm test` builds first) on the
 * bundled sample logs, reports read back from disk.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');

function routeaudit(args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Findings {
  run: { runId: string; previousRunId: string | null; since: string; until: string };
  verdict: { newIncidents: number; ongoingIncidents: number; highestSeverity: string };
  incidents: { id: string; rule: string; severity: string; clientRegion: string; datacenterRegion: string; keyExchangeSessions: number; diffStatus: string; causeFindingIds: string[] }[];
  policyFindings: { id: string; rule: string; path: string }[];
  fallbackWindows: { clientRegion: string; windowStart: string; flags: string[] }[];
  ingest: { linesRead: number; loaded: number; duplicates: number; rejected: number };
}

describe('routeaudit audit on the sample logs', () => {
  it('tells the April 2020 story and writes every report', () => {
    const out = tempDir();
    const run = routeaudit(['audit', '--logs', 'sample-logs/connections-*', 'sample-logs/redelivered', '--policy', 'sample-logs/policy.yaml', '--out', out, '--now', '2026-11-27T00:00:00Z'], ROOT);
    expect(run.stderr).toContain('(adds up)');
    expect(run.code).toBe(1); // critical findings, default --fail-on high
    const folder = join(out, readlinkSync(join(out, 'latest')));
    expect(readdirSync(folder).sort()).toEqual([
      'affected-sessions.csv',
      'findings.json',
      'findings.ocsf.json',
      'input-problems.csv',
      'rejects.csv',
      'report.html',
      'summary.md',
    ]);

    const findings = JSON.parse(readFileSync(join(folder, 'findings.json'), 'utf8')) as Findings;
    const whitelist = findings.policyFindings.filter((p) => p.rule === 'whitelist');
    expect(whitelist.map((p) => p.path)).toEqual(['routing.US.secondary[5]', 'routing.US.secondary[6]']);
    const flagged = findings.fallbackWindows.filter((w) => w.flags.length > 0).map((w) => `${w.clientRegion} ${w.windowStart}`);
    expect(flagged).toEqual(['US 2020-04-01T14:00:00.000Z', 'US 2020-04-01T15:00:00.000Z', 'US 2020-04-01T16:00:00.000Z', 'US 2020-04-01T17:00:00.000Z', 'US 2020-04-01T18:00:00.000Z']);
    const geofence = findings.incidents.filter((i) => i.rule === 'geofence');
    expect(geofence.map((i) => [i.clientRegion, i.datacenterRegion, i.severity]).sort()).toEqual([
      ['CA', 'CN', 'critical'],
      ['US', 'CN', 'critical'],
    ]);
    const us = geofence.find((i) => i.clientRegion === 'US')!;
    expect(us.causeFindingIds.sort()).toEqual(whitelist.map((w) => w.id).sort());
    expect(us.keyExchangeSessions).toBe(4);
    expect(findings.ingest).toEqual({ files: 5, linesRead: 9623, loaded: 9617, duplicates: 1, rejected: 5 });

    const csv = readFileSync(join(folder, 'affected-sessions.csv'), 'utf8');
    expect(csv.split('\r\n')[0]!.startsWith('incident_id,rule,finding_severity,status,session_id,account_id,meeting_id,user_id,client_country,client_region,datacenter,datacenter_region,session_start')).toBe(true);
    const summary = readFileSync(join(folder, 'summary.md'), 'utf8');
    expect(summary).toMatch(/\*\*Verdict: \d+ new incidents \(\d+ distinct sessions\)\*\*/);
    expect(summary).toContain('routing.US.secondary\\[5\\]');
    const html = readFileSync(join(folder, 'report.html'), 'utf8');
    expect(html).toContain('Content-Security-Policy');
    expect(html).not.toMatch(/<script|https?:\/\//i);
  });

  it('exits 0 with --fail-on none, and 2 with a clear message for a malformed policy or a bad flag', () => {
    const dir = tempDir();
    const none = routeaudit(['audit', '--logs', join(ROOT, 'sample-logs'), '--policy', join(ROOT, 'sample-logs/policy.yaml'), '--no-reports', '--fail-on', 'none'], dir);
    expect(none.code).toBe(0);

    cpSync(join(ROOT, 'sample-logs/policy.yaml'), join(dir, 'policy.yaml'));
    const broken = readFileSync(join(dir, 'policy.yaml'), 'utf8').replace('cn-sha1] }', 'cn-sha9] }');
    writeFileSync(join(dir, 'policy.yaml'), broken);
    const bad = routeaudit(['audit', '--logs', join(ROOT, 'sample-logs'), '--policy', 'policy.yaml'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('routing.US.secondary[6]: unknown datacenter "cn-sha9"');
    expect(bad.stderr).not.toMatch(/\n\s+at /);

    const flag = routeaudit(['audit', '--policy', 'policy.yaml', '--fail-on', 'urgent'], dir);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--fail-on/);

    const memory = routeaudit(['audit', '--logs', join(ROOT, 'sample-logs'), '--policy', 'policy.yaml', '--memory-limit', 'lots'], dir);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain('--memory-limit');
    expect(memory.stderr).toContain('expected a number and a unit, e.g. 512MB, 4GB or 2GiB; got "lots"');
    expect(memory.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('ROUTEAUDIT_PROFILE', () => {
  const args = ['audit', '--logs', 'sample-logs/connections-2020-04-01.jsonl.gz', '--policy', 'sample-logs/policy.yaml', '--no-reports', '--fail-on', 'none', '--now', '2026-11-27T00:00:00Z'];
  const profileLine = /^profile +\d+\.\d ms {2}\S/;

  it('times every statement on stderr, naming the statement, when set to 1', () => {
    const run = routeaudit(args, ROOT, { ROUTEAUDIT_PROFILE: '1' });
    expect(run.code).toBe(0);
    const lines = run.stderr.split('\n').filter((line) => line.startsWith('profile '));
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) expect(line).toMatch(profileLine);
    expect(lines.some((line) => line.includes('CREATE OR REPLACE TEMP TABLE audit_rule_rows'))).toBe(true);
    expect(lines.some((line) => /\(statement 2 of 2\) .*CREATE OR REPLACE TEMP TABLE audit_scope/.test(line))).toBe(true);
  });

  it('adds nothing to stderr otherwise', () => {
    const run = routeaudit(args, ROOT, { ROUTEAUDIT_PROFILE: '' });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/^profile /m);
  });
});

describe('slips a new user makes', () => {
  it('exits 2 with a message naming the slip, never a stack trace', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'logs.csv'), 'ts,session_id,dc_id,outcome\n');
    const logs = join(ROOT, 'sample-logs');
    const policy = join(ROOT, 'sample-logs/policy.yaml');
    const cases: [string[], string][] = [
      [['ingest', logs, '--db', 'folder'], 'is a folder; name a database file'],
      [['ingest', logs, '--db', 'logs.csv'], 'looks like a log file, not a database'],
      [['rejects', '--db', ':memory:'], '--db :memory: is empty in a new process'],
      [['audit', '--logs', logs, '--policy', policy, '--no-geo', '--geo', 'g.csv'], '--geo and --no-geo contradict each other'],
      [['audit', '--logs', logs, '--policy', policy, '--geo', 'g.csv', '--no-geo'], '--geo and --no-geo contradict each other'],
      [['ingest', logs, '--db', 'x.duckdb', '--memory-limit', '999999999999GB'], 'DuckDB refused --memory-limit 999999999999GB'],
      [['nightly', '--logs', logs, '--policy', policy, '--window', '2020-03-30/2020-03-31/2020-04-01'], 'expected a duration (24h, 7d) or START/END'],
      [['audit', '--logs', logs, '--policy', policy, '--since', '2020-04-01T08:00+25:00'], 'expected an ISO date or time'],
      [['sample', '--out', 'logs.csv'], '--out logs.csv is a file'],
      [['audit', '--logs', logs, '--policy', policy, '--no-reports', '--out', 'r'], '--no-reports writes no run folder'],
    ];
    for (const [args, message] of cases) {
      const result = routeaudit(args, dir);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at |internal error/);
    }
    expect(existsSync(join(dir, 'x.duckdb'))).toBe(false);
  });

  it('keeps the database when audit --logs names one with --db', () => {
    const dir = tempDir();
    const result = routeaudit(['audit', '--logs', join(ROOT, 'sample-logs'), '--policy', join(ROOT, 'sample-logs/policy.yaml'), '--db', 'kept.duckdb', '--no-reports', '--fail-on', 'none'], dir);
    expect(result.code).toBe(0);
    const rejects = routeaudit(['rejects', '--db', 'kept.duckdb'], dir);
    expect(rejects.code).toBe(0);
    expect(rejects.stdout).toContain('connections-2020-03-30.jsonl');
  });
});

describe('routeaudit nightly', () => {
  it('audits the last complete UTC day, and a second run of the same day gives the same ids and folder', () => {
    const dir = tempDir();
    cpSync(join(ROOT, 'sample-logs'), join(dir, 'logs'), { recursive: true });
    const args = ['nightly', '--logs', 'logs', '--policy', 'logs/policy.yaml', '--db', 'audit.duckdb', '--out', 'reports', '--now', '2020-04-02T03:00:00Z'];
    const first = routeaudit(args, dir);
    expect(first.code).toBe(1);
    const read = () => JSON.parse(readFileSync(join(dir, 'reports/latest/findings.json'), 'utf8')) as Findings;
    const day1 = read();
    expect([day1.run.since, day1.run.until]).toEqual(['2020-04-01T00:00:00.000Z', '2020-04-02T00:00:00.000Z']);
    expect(day1.verdict.newIncidents).toBeGreaterThan(0);

    const second = routeaudit(args, dir);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('already ingested');
    const again = read();
    expect(again.incidents.map((i) => i.id)).toEqual(day1.incidents.map((i) => i.id));
    expect(readlinkSync(join(dir, 'reports/latest'))).toBe(day1.run.runId);
    expect(readdirSync(join(dir, 'reports')).filter((f) => !f.startsWith('.')).sort()).toEqual([day1.run.runId, 'latest']);

    const nextDay = routeaudit([...args.slice(0, -1), '2020-04-03T03:00:00Z'], dir);
    expect([0, 1]).toContain(nextDay.code);
    expect(read().run.previousRunId).toBe(day1.run.runId);
  });
});
