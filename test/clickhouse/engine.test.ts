/**
 * The ClickHouse engine end to end (docs/clickhouse.md), through the built CLI,
 * against two ClickHouse servers this suite starts on loopback (servers.ts):
 * one cluster of two shards. Every comparison is with the DuckDB engine on the
 * same logs, read back from the reports on disk; the clock is always --now.
 * In CI a missing clickhouse-server fails this file (clickhouseAvailable).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { parseClickHouseTarget } from '../../src/db/clickhouse-target.js';
import { Database } from '../../src/db/database.js';
import { runAudit } from '../../src/detect/audit.js';
import { loadRegistry } from '../../src/detect/registry.js';
import { DUCKDB_ENGINE, withEngine, type EngineChoice } from '../../src/engine.js';
import { discoverLogFiles } from '../../src/ingest/discover.js';
import { ingestFiles } from '../../src/ingest/ingester.js';
import { identityMapping } from '../../src/ingest/mapping.js';
import { loadPolicy } from '../../src/policy/load.js';
import { QUERIES_DIR } from '../../src/queries.js';
import { FIXED_NOW, tempDir } from '../helpers.js';
import { CLUSTER, clickhouseAvailable, startCluster, type Cluster } from './servers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const SAMPLE = join(ROOT, 'sample-logs');
const NOW = '2020-04-05T00:00:00Z';
const THROWAWAY = fileURLToPath(new URL('../fixtures/throwaway-rules/', import.meta.url));
const SAMPLE_LOGS = ['sample-logs/connections-*', 'sample-logs/redelivered'];

function routeaudit(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let cluster: Cluster;
let databases = 0;

/** The --engine flags for a database of its own in the test cluster. */
function clickhouse(database = `t${++databases}`): { flags: string[]; database: string } {
  return { flags: ['--engine', 'clickhouse', '--clickhouse', cluster.spec(database), '--clickhouse-cluster', CLUSTER], database };
}

/** One query on the first node, its JSONEachRow rows parsed. */
async function chRows<T>(sql: string): Promise<T[]> {
  const text = await post(cluster.nodes[0]!.url, `${sql} FORMAT JSONEachRow`, 'output_format_json_quote_64bit_integers=0');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

async function chExec(sql: string, url = cluster.nodes[0]!.url): Promise<void> {
  await post(url, sql, 'insert_distributed_sync=1');
}

/**
 * One HTTP request on a connection of its own: a pooled one may have been closed by the
 * server's keep-alive timeout while a spawnSync blocked this process.
 */
function post(url: string, body: string, query: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/?${query}`, { method: 'POST', agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(text) : reject(new Error(text))));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** The run folder's files, the database label made neutral (the one field the engines differ in). */
function runFolder(out: string): Map<string, string> {
  const [run] = readdirSync(out).filter((name) => name !== 'latest');
  const folder = join(out, run!);
  const files = new Map<string, string>();
  for (const name of readdirSync(folder).sort()) {
    let text = readFileSync(join(folder, name), 'utf8');
    if (name === 'findings.json') {
      const report = JSON.parse(text) as { run: { database: string } };
      report.run.database = 'DATABASE';
      text = JSON.stringify(report, null, 2);
    } else {
      text = text.replace(/clickhouse http:\/\/[^\s<"]+ \(cluster ra_test\)|:memory:|[\w./-]+\.duckdb/g, 'DATABASE');
    }
    files.set(name, text);
  }
  return files;
}

function expectSameReports(clickhouseOut: string, duckdbOut: string): void {
  const ch = runFolder(clickhouseOut);
  const duck = runFolder(duckdbOut);
  expect([...ch.keys()]).toEqual([...duck.keys()]);
  for (const [name, text] of duck) expect(ch.get(name), name).toBe(text);
}

/** The ingest table without its last hint line (the engines point at different places for rejects). */
function ingestTable(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !/rejected lines|^clickhouse:/.test(line))
    .join('\n')
    .split('\nverdict:')[0]!;
}

const available = clickhouseAvailable();

describe.skipIf(!available)('the ClickHouse engine, on a cluster of two shards', () => {
  beforeAll(async () => {
    cluster = await startCluster(2);
  });
  afterAll(async () => {
    for (const node of cluster?.nodes ?? []) {
      if (node.process.exitCode !== null || node.process.signalCode !== null) console.error(`node ${node.url} ended early: ${node.output()}`);
    }
    await cluster?.stop();
  });

  it('writes the same reports as the DuckDB engine on the sample logs, with the same counts and rejects', () => {
    const dir = tempDir();
    copySample(dir);
    const ch = routeaudit(['audit', ...clickhouse().flags, '--logs', ...SAMPLE_LOGS, '--policy', 'sample-logs/policy.yaml', '--out', 'ch', '--now', NOW], dir);
    const duck = routeaudit(['audit', '--logs', ...SAMPLE_LOGS, '--policy', 'sample-logs/policy.yaml', '--out', 'duck', '--now', NOW], dir);
    expect(ch.code).toBe(1);
    expect(duck.code).toBe(1);
    expect(ch.stdout.replace('reports: ch/', 'reports: OUT/')).toBe(duck.stdout.replace('reports: duck/', 'reports: OUT/'));
    expect(ingestTable(ch.stderr)).toBe(ingestTable(duck.stderr));
    expect(ch.stderr).toContain('lines read 9,623 = loaded 9,617 + duplicates 1 + rejected 5 (adds up)');
    expect(ch.stderr).toMatch(/clickhouse: 6,000 sessions scanned in the cluster; [\d,]+ came home with their attempts/);
    expectSameReports(join(dir, 'ch'), join(dir, 'duck'));
    const findings = JSON.parse(readFileSync(join(dir, 'ch', 'latest', 'findings.json'), 'utf8')) as { run: { database: string }; incidents: unknown[] };
    expect(findings.run.database).toMatch(/^clickhouse http:\/\/127\.0\.0\.1:\d+,http:\/\/127\.0\.0\.1:\d+\/t\d+ \(cluster ra_test\)$/);
    expect(findings.incidents).toHaveLength(19);
  });

  it('writes the same reports for the Zeek and Zoom samples, with what those sources cannot show', () => {
    const dir = tempDir();
    const logs = ['--logs', join(SAMPLE, 'sources', 'conn.log'), join(SAMPLE, 'sources', 'zoom')];
    const a = routeaudit(['audit', ...clickhouse().flags, ...logs, '--policy', join(SAMPLE, 'policy.yaml'), '--out', 'ch', '--now', NOW], dir);
    const b = routeaudit(['audit', ...logs, '--policy', join(SAMPLE, 'policy.yaml'), '--out', 'duck', '--now', NOW], dir);
    expect(a.code, a.stderr).toBe(b.code);
    expectSameReports(join(dir, 'ch'), join(dir, 'duck'));
    const report = JSON.parse(readFileSync(join(dir, 'ch', 'latest', 'findings.json'), 'utf8')) as { notAssessable: { rule: string; sessions: number }[]; findings: unknown[] };
    expect(report.notAssessable.map((n) => n.rule).sort()).toEqual(['fallback-rate', 'premature-fallback']);
    expect(report.findings.length).toBeGreaterThan(0);
    // No session of these sources declares a country: each comes home whole (docs/clickhouse.md).
    expect(a.stderr).toContain('clickhouse: 313 sessions scanned in the cluster; 313 came home with their attempts');
  });

  describe('on the generated April 2020 scenario (150,000 sessions, 240,508 attempts)', () => {
    let dir: string;
    let ch: ReturnType<typeof clickhouse>;
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    beforeAll(() => {
      // Not tempDir(): that one is removed after each test, and this folder serves several.
      dir = mkdtempSync(join(tmpdir(), 'routeaudit-chbig-'));
      expect(routeaudit(['sample', '--out', 'big', '--sessions', '150000'], dir).code).toBe(0);
      ch = clickhouse();
      const loaded = routeaudit(['ingest', 'big/connections-*', 'big/redelivered', ...ch.flags, '--db', 'ch.duckdb'], dir);
      const local = routeaudit(['ingest', 'big/connections-*', 'big/redelivered', '--db', 'duck.duckdb'], dir);
      expect(loaded.code, loaded.stderr).toBe(0);
      expect(local.code).toBe(0);
      expect(loaded.stdout).toContain('lines read 240,514 = loaded 240,508 + duplicates 1 + rejected 5 (adds up)');
      expect(ingestTable(loaded.stdout)).toBe(ingestTable(local.stdout));
    }, 120_000);

    it('stores each attempt once, spread over both shards by session', async () => {
      const [totals] = await chRows<{ rows: number; sessions: number; keys: number }>(
        `SELECT count() AS rows, uniqExact(session_id) AS sessions, uniqExact(file_id, line_no, part) AS keys FROM ${ch.database}.connections`,
      );
      expect(totals).toEqual({ rows: 240_508, sessions: 150_000, keys: 240_508 });
      const perShard = await Promise.all(
        cluster.nodes.map(async (node) => {
          return Number(await post(node.url, `SELECT count() FROM ${ch.database}.connections_local`, ''));
        }),
      );
      expect(perShard[0]! + perShard[1]!).toBe(240_508);
      for (const rows of perShard) expect(rows).toBeGreaterThan(100_000);
      // No session has records on both shards.
      const [split] = await chRows<{ split: number }>(
        `SELECT count() AS split FROM (SELECT session_id, uniqExact(_shard) AS shards FROM (SELECT session_id, hostName() AS _shard FROM ${ch.database}.connections) GROUP BY session_id HAVING shards > 1)`,
      );
      expect(split).toEqual({ split: 0 });
    });

    it('writes the same reports for the whole of it and for one day with its baseline', () => {
      for (const window of [[], ['--since', '2020-04-01', '--until', '2020-04-02']]) {
        const out = `w${window.length}`;
        const a = routeaudit(['audit', ...ch.flags, '--db', 'ch.duckdb', '--policy', 'big/policy.yaml', '--out', `${out}-ch`, '--now', NOW, ...window], dir);
        const b = routeaudit(['audit', '--db', 'duck.duckdb', '--policy', 'big/policy.yaml', '--out', `${out}-duck`, '--now', NOW, ...window], dir);
        expect(a.code, a.stderr).toBe(1);
        expect(b.code).toBe(1);
        expectSameReports(join(dir, `${out}-ch`), join(dir, `${out}-duck`));
        // Most sessions are routine: their attempts stay in the cluster.
        const [, scanned, home] = /clickhouse: ([\d,]+) sessions scanned in the cluster; ([\d,]+) came home/.exec(a.stderr)!.map((s) => Number(s.replace(/,/g, '')));
        expect(home!).toBeLessThan(scanned! / 4);
      }
    });
  });

  it('audits late arrivals by night as the DuckDB engine does', () => {
    const dir = tempDir();
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const day = gunzipSync(readFileSync(join(SAMPLE, 'connections-2020-04-01.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean);
    copyFileSync(join(SAMPLE, 'connections-2020-03-31.jsonl.gz'), join(logs, 'connections-2020-03-31.jsonl.gz'));
    writeFileSync(join(logs, 'connections-2020-04-01-a.jsonl'), day.slice(0, 1500).join('\n') + '\n');
    const ch = clickhouse();
    const night = (now: string, engine: string[], db: string, out: string) =>
      routeaudit(['nightly', '--logs', 'logs', ...engine, '--db', db, '--policy', join(SAMPLE, 'policy.yaml'), '--out', out, '--now', now], dir);
    for (const [now, out] of [
      ['2020-04-02T01:00:00Z', 'n1'],
      ['2020-04-03T01:00:00Z', 'n2'],
    ] as const) {
      if (out === 'n2') {
        // The rest of the 1 April file arrives a day late, with the 2 April file.
        writeFileSync(join(logs, 'connections-2020-04-01-b.jsonl'), day.slice(1500).join('\n') + '\n');
        copyFileSync(join(SAMPLE, 'connections-2020-04-02.csv'), join(logs, 'connections-2020-04-02.csv'));
      }
      const a = night(now, ch.flags, 'ch.duckdb', `${out}-ch`);
      const b = night(now, [], 'duck.duckdb', `${out}-duck`);
      expect(a.code, a.stderr).toBe(b.code);
      expectSameReports(join(dir, `${out}-ch`), join(dir, `${out}-duck`));
    }
    const second = JSON.parse(readFileSync(join(dir, 'n2-ch', 'latest', 'findings.json'), 'utf8')) as { lateSessions: unknown[]; incidents: { diffStatus: string }[] };
    expect(second.lateSessions.length).toBeGreaterThan(0);
    expect(second.incidents.some((i) => i.diffStatus !== 'new')).toBe(true);
  });

  it('after kill -9 during an ingest, a re-run stores every record exactly once', async () => {
    const dir = tempDir();
    expect(routeaudit(['sample', '--out', 'logs', '--sessions', '60000'], dir).code).toBe(0);
    const ch = clickhouse();
    const args = [CLI, 'ingest', 'logs/connections-*', 'logs/redelivered', ...ch.flags, '--db', 'ch.duckdb'];
    // Killed once the first file is committed, while the later ones are being stored.
    const child = spawn(process.execPath, args, { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let committed = 0;
    for (let tries = 0; tries < 2000 && committed === 0; tries++) {
      await new Promise((r) => setTimeout(r, 10));
      committed = await chRows<{ n: number }>(`SELECT count() AS n FROM ${ch.database}.files`).then((r) => r[0]!.n, () => 0);
    }
    child.kill('SIGKILL');
    const code = await exited;
    expect(committed).toBeGreaterThan(0);
    const [before] = await chRows<{ files: number }>(`SELECT count() AS files FROM ${ch.database}.files`);
    expect(code === null || before!.files < 5, 'the ingest was killed before it committed every file').toBe(true);

    const rerun = routeaudit(args.slice(1), dir);
    expect(rerun.code, rerun.stderr).toBe(0);
    const local = routeaudit(['ingest', 'logs/connections-*', 'logs/redelivered', '--db', 'duck.duckdb'], dir);
    const [reference] = /lines read [\d,]+ = loaded [\d,]+ \+ duplicates [\d,]+ \+ rejected [\d,]+/.exec(local.stdout)!;
    // The registry, summed over both runs, adds up to exactly the DuckDB engine's counts.
    const [totals] = await chRows<{ files: number; read: number; loaded: number; duplicates: number; rejected: number }>(
      `SELECT count() AS files, sum(lines_read) AS read, sum(loaded) AS loaded, sum(duplicates) AS duplicates, sum(rejected) AS rejected FROM ${ch.database}.files`,
    );
    const fmt = (n: number) => n.toLocaleString('en-US');
    expect(`lines read ${fmt(totals!.read)} = loaded ${fmt(totals!.loaded)} + duplicates ${fmt(totals!.duplicates)} + rejected ${fmt(totals!.rejected)}`).toBe(reference);
    expect(totals!.files).toBe(5);
    // Committed records: each line once; rows of the killed file (if any) are under no committed id.
    const [stored] = await chRows<{ rows: number; keys: number }>(
      `SELECT count() AS rows, uniqExact(f.path, c.line_no, c.part) AS keys FROM ${ch.database}.connections AS c GLOBAL ANY INNER JOIN (SELECT file_id, path FROM ${ch.database}.files) AS f USING (file_id)`,
    );
    expect(stored).toEqual({ rows: totals!.loaded, keys: totals!.loaded });
    const audits = ['ch', 'duck'].map((name) =>
      routeaudit(['audit', ...(name === 'ch' ? [...ch.flags, '--db', 'ch.duckdb'] : ['--db', 'duck.duckdb']), '--policy', 'logs/policy.yaml', '--out', name, '--now', NOW], dir),
    );
    expect(audits.map((a) => a.code)).toEqual([1, 1]);
    expectSameReports(join(dir, 'ch'), join(dir, 'duck'));
  });

  it('never shows the rows of an ingest killed before its commit, nor reuses their file id', async () => {
    const dir = tempDir();
    const ch = clickhouse();
    const one = (session: string, line: string) =>
      JSON.stringify({ ts: '2020-04-01T10:00:00Z', session_id: session, dc_id: 'cn-pek1', outcome: 'connected', tier: 'secondary', client_country: 'US' }) + line;
    writeFileSync(join(dir, 'a.jsonl'), one('s-committed', '\n'));
    expect(routeaudit(['ingest', 'a.jsonl', ...ch.flags, '--db', 'ch.duckdb'], dir).code).toBe(0);
    // What a run killed between its records and its registry entry leaves: rows under file id 2, no entry.
    await chExec(
      `INSERT INTO ${ch.database}.connections (ts_us, session_id, dc_id, outcome, file_id, line_no, part) VALUES (1585735200000000, 's-orphan', 'cn-pek1', 'connected', 2, 1, 0)`,
    );
    writeFileSync(join(dir, 'b.jsonl'), one('s-later', '\n'));
    expect(routeaudit(['ingest', 'b.jsonl', ...ch.flags, '--db', 'ch.duckdb'], dir).code).toBe(0);
    expect(await chRows(`SELECT file_id, path FROM ${ch.database}.files ORDER BY file_id`)).toEqual([
      { file_id: 1, path: 'a.jsonl' },
      { file_id: 3, path: 'b.jsonl' },
    ]);
    const audit = routeaudit(['audit', ...ch.flags, '--db', 'ch.duckdb', '--policy', join(SAMPLE, 'policy.yaml'), '--out', 'out', '--now', NOW], dir);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'latest', 'findings.json'), 'utf8')) as { findings: { sessionId: string }[]; ingest: { loaded: number } };
    expect(audit.code).toBe(1);
    expect([...new Set(report.findings.map((f) => f.sessionId))].sort()).toEqual(['s-committed', 's-later']);
    expect(report.ingest.loaded).toBe(2);
  });

  it('refuses to audit when a session has records on two shards (the shards changed)', async () => {
    const dir = tempDir();
    const ch = clickhouse();
    const record = (i: number) => JSON.stringify({ ts: `2020-04-01T10:00:0${i}Z`, session_id: `s-${i}`, dc_id: 'us-sjc1', outcome: 'connected', client_country: 'US' });
    writeFileSync(join(dir, 'a.jsonl'), Array.from({ length: 9 }, (_, i) => record(i)).join('\n') + '\n');
    expect(routeaudit(['ingest', 'a.jsonl', ...ch.flags, '--db', 'ch.duckdb'], dir).code).toBe(0);
    // A copy of one of the first shard's records on the second shard: what a change of shards leaves.
    const [first] = await chRows<{ session_id: string }>(`SELECT session_id FROM ${ch.database}.connections_local ORDER BY session_id LIMIT 1`);
    const id = Number(first!.session_id.slice(2));
    await chExec(
      `INSERT INTO ${ch.database}.connections_local SELECT * FROM remote('127.0.0.1:${cluster.nodes[0]!.tcpPort}', ${ch.database}.connections_local) WHERE session_id = concat('s-', toString(${id}))`,
      cluster.nodes[1]!.url,
    );
    const audit = routeaudit(['audit', ...ch.flags, '--db', 'ch.duckdb', '--policy', join(SAMPLE, 'policy.yaml'), '--no-reports', '--now', NOW], dir);
    expect(audit.code, audit.stdout).toBe(2);
    expect(audit.stderr).toMatch(/1 session has records on more than one shard \(e\.g\. "s-\d"\): the cluster's shards or their weights changed/);
  });

  it('carries hostile strings in every text field, path and reject through unchanged', async () => {
    const dir = tempDir();
    const hostile = [
      "it's",
      'say "hi"',
      'back\\slash',
      "x'); DROP TABLE files; --",
      '{{db}}.$since_us',
      'tab\there',
      'line\nbreak',
      '\u202eevil\u202c',
      'snow ☃ 🐢',
      '\uFEFFbom',
      '\\N',
      'comma, "quoted", and\r\nCRLF',
    ];
    const records = hostile.map((text, i) => ({
      ts: `2020-04-01T10:${String(i).padStart(2, '0')}:00Z`,
      session_id: `s ${text}`,
      dc_id: `dc ${text}`,
      outcome: 'connected',
      account_id: `a ${text}`,
      meeting_id: `m ${text}`,
      user_id: `u ${text}`,
      client_country: 'US',
    }));
    const name = "logs 'quoted' ☃.jsonl";
    writeFileSync(join(dir, name), records.map((r) => JSON.stringify(r)).join('\n') + '\n' + `{"broken": "x'); DROP TABLE rejects; --\n`);
    const ch = clickhouse();
    const a = routeaudit(['audit', ...ch.flags, '--db', 'ch.duckdb', '--logs', name, '--policy', join(SAMPLE, 'policy.yaml'), '--out', 'ch', '--now', NOW], dir);
    const b = routeaudit(['audit', '--db', 'duck.duckdb', '--logs', name, '--policy', join(SAMPLE, 'policy.yaml'), '--out', 'duck', '--now', NOW], dir);
    expect(a.code, a.stderr).toBe(1);
    expect(b.code).toBe(1);
    expectSameReports(join(dir, 'ch'), join(dir, 'duck'));

    const stored = await chRows<Record<string, string>>(`SELECT session_id, dc_id, account_id, meeting_id, user_id FROM ${ch.database}.connections ORDER BY line_no`);
    expect(stored).toEqual(records.map(({ session_id, dc_id, account_id, meeting_id, user_id }) => ({ session_id, dc_id, account_id, meeting_id, user_id })));
    const [file] = await chRows<{ path: string }>(`SELECT path FROM ${ch.database}.files`);
    expect(file!.path).toBe(name);
    const db = await Database.open(join(dir, 'duck.duckdb'), { readOnly: true });
    try {
      const [local] = await db.all<{ raw: string; reason: string }>('SELECT raw, reason FROM rejects');
      const [remote] = await chRows<{ raw: string; reason: string }>(`SELECT raw, reason FROM ${ch.database}.rejects`);
      expect(remote).toEqual(local);
      expect(remote!.raw).toBe(`{"broken": "x'); DROP TABLE rejects; --`);
    } finally {
      db.close();
    }
  });

  it('brings every session home when a rule does not say it needs no routine session', async () => {
    // operator-watch (test/fixtures/throwaway-rules) finds CA sessions at ca-yyz1, their own primary
    // datacenter: routine sessions, whose attempts would otherwise stay in the cluster.
    const dir = tempDir();
    const rules = join(dir, 'detections');
    mkdirSync(rules);
    for (const source of [join(QUERIES_DIR, 'detections'), THROWAWAY]) {
      for (const file of readdirSync(source).filter((f) => f.endsWith('.sql'))) copyFileSync(join(source, file), join(rules, file));
    }
    const registry = loadRegistry(rules);
    const policy = loadPolicy(join(SAMPLE, 'policy.yaml'), ROOT, registry);
    const { files } = discoverLogFiles([join(SAMPLE, 'connections-2020-04-01.jsonl.gz')], 'auto', ROOT);
    const run = async (engine: EngineChoice) => {
      const db = await Database.open(':memory:');
      try {
        return await withEngine(engine, db, ':memory:', async (opened) => {
          await ingestFiles(db, files, { mapping: identityMapping(), now: () => FIXED_NOW, store: opened.store });
          const report = await runAudit(db, { policy, window: { since: null, until: null }, now: FIXED_NOW, databaseLabel: 'x', geo: null, registry, sessions: opened.sessions });
          return { report, note: opened.auditNote ?? null };
        });
      } finally {
        db.close();
      }
    };
    const local = await run(DUCKDB_ENGINE);
    const remote = await run({ kind: 'clickhouse', target: parseClickHouseTarget(cluster.spec(`t${++databases}`), CLUSTER) });
    const watched = (r: typeof local) => r.report.findings.filter((f) => f.rule === 'operator-watch').map((f) => f.sessionId).sort();
    expect(watched(local).length).toBeGreaterThan(5);
    expect(watched(remote)).toEqual(watched(local));
    expect(remote.report.findings).toEqual(local.report.findings);
    expect(remote.note?.everySessionBecause).toBe('half-secondary, operator-watch do not declare routine: attempts-not-needed');
    expect(remote.note?.candidateSessions).toBe(remote.note?.sessions);
  });

  it('says what is wrong with the setup, without a stack, and exits 2', () => {
    const dir = tempDir();
    const policy = join(SAMPLE, 'policy.yaml');
    const audit = (flags: string[]) => routeaudit(['audit', ...flags, '--policy', policy, '--no-reports', '--now', NOW], dir);
    const cases: [string[], RegExp][] = [
      [['--engine', 'clickhouse', '--clickhouse', 'http://127.0.0.1:1'], /cannot reach ClickHouse at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/],
      [['--engine', 'clickhouse', '--clickhouse', `${cluster.nodes[0]!.url}`, '--clickhouse-cluster', 'nosuch'], /the cluster is not in the server's remote_servers \(--clickhouse-cluster\) \(Code: 170\)/],
      [['--engine', 'clickhouse', '--clickhouse', cluster.spec('x')], /--clickhouse names several nodes: name their cluster too/],
      [['--engine', 'clickhouse', '--clickhouse', `${cluster.nodes[0]!.url}/my-db`], /the database "my-db" in .* must be letters, digits and _/],
      [['--engine', 'clickhouse', '--clickhouse', 'ftp://x'], /must be an http:\/\/ or https:\/\/ address/],
      [['--engine', 'clickhouse'], /--engine clickhouse needs the servers: --clickhouse http:\/\/HOST:8123/],
      [['--clickhouse', cluster.nodes[0]!.url], /--clickhouse and --clickhouse-cluster are for --engine clickhouse/],
    ];
    for (const [flags, message] of cases) {
      const result = audit(flags);
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    // A DuckDB database with logs of its own is refused, not emptied.
    copySample(dir);
    expect(routeaudit(['ingest', 'sample-logs/connections-2020-03-30.jsonl', '--db', 'own.duckdb'], dir).code).toBe(0);
    const refused = routeaudit(['audit', ...clickhouse().flags, '--db', 'own.duckdb', '--policy', policy, '--no-reports', '--now', NOW], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the DuckDB database "own.duckdb" holds logs of its own');
    const kept = routeaudit(['audit', '--db', 'own.duckdb', '--policy', policy, '--no-reports', '--now', NOW, '--fail-on', 'none'], dir);
    expect(kept.stdout).toMatch(/database: 1 file, lines read/);
    // And the ClickHouse engine's history file is not read by the DuckDB engine as if it held the logs.
    const history = routeaudit(['audit', ...clickhouse().flags, '--db', 'history.duckdb', '--logs', 'sample-logs/connections-2020-03-30.jsonl', '--policy', policy, '--no-reports', '--now', NOW, '--fail-on', 'none'], dir);
    expect(history.code, history.stderr).toBe(0);
    const misread = routeaudit(['audit', '--db', 'history.duckdb', '--policy', policy, '--no-reports', '--now', NOW], dir);
    expect(misread.code).toBe(2);
    expect(misread.stderr).toContain(`the DuckDB database "history.duckdb" is the ClickHouse engine's audit history, not a store of logs`);
    const rejects = routeaudit(['rejects', '--db', 'history.duckdb'], dir);
    expect(rejects.code).toBe(2);
    expect(rejects.stderr).toContain("is the ClickHouse engine's audit history");
  });
});

function copySample(dir: string): void {
  const target = join(dir, 'sample-logs');
  mkdirSync(join(target, 'redelivered'), { recursive: true });
  for (const name of readdirSync(SAMPLE)) if (name.startsWith('connections-') || name === 'policy.yaml') copyFileSync(join(SAMPLE, name), join(target, name));
  for (const name of readdirSync(join(SAMPLE, 'redelivered'))) copyFileSync(join(SAMPLE, 'redelivered', name), join(target, 'redelivered', name));
}
