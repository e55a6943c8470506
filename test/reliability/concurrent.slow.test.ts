/**
 * Concurrent runs: five `routeaudit nightly` started at once on one database.
 * Exactly one proceeds; the other four exit 2 within seconds with the message
 * naming the holder's PID, write no report, and change nothing: the database
 * ends as after one nightly run alone on the same logs.
 */
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { ROOT, ensureBuilt, runCliProcess, STACK_LINE, type Outcome } from '../support/cli-process.js';
import { jsonl, record, tempDir, writeFile } from '../helpers.js';
import { expectRegistryMatchesTables } from '../ingest/support.js';

const RUNS = 5;
/** "Within a few seconds": node's start plus DuckDB's refusal, on a loaded machine. */
const LOSER_MAX_MS = 15_000;

beforeAll(() => {
  ensureBuilt();
}, 120_000);

/** The sample logs plus 150,000 more lines, so that the holder keeps the database for a while. */
function prepare(dir: string): void {
  cpSync(join(ROOT, 'sample-logs'), join(dir, 'logs'), { recursive: true });
  const start = Date.UTC(2020, 3, 1);
  for (let f = 0; f < 3; f++) {
    writeFile(dir, `logs/extra-${f}.jsonl`, jsonl(Array.from({ length: 50_000 }, (_, i) => record({ ts: new Date(start + (f * 50_000 + i) * 500).toISOString(), session_id: `x${f}-${i}`, dc_id: 'us-sjc1', client_country: 'US' }))));
  }
}

const nightly = ['nightly', '--logs', 'logs', '--policy', 'logs/policy.yaml', '--db', 'n.duckdb', '--out', 'reports', '--now', '2020-04-02T03:00:00Z', '--fail-on', 'none'];

async function snapshot(dir: string): Promise<Record<string, unknown>> {
  const db = await Database.open(join(dir, 'n.duckdb'), { readOnly: true });
  try {
    await expectRegistryMatchesTables(db);
    return {
      registry: await db.all('SELECT path, content_sha256, lines_read, loaded, duplicates, rejected FROM ingested_files ORDER BY path'),
      tables: await db.one('SELECT (SELECT count(*) FROM connections) AS connections, (SELECT count(*) FROM rejects) AS rejects, (SELECT count(*) FROM duplicates) AS duplicates'),
      runs: await db.all('SELECT run_id, since, until, previous_run_id FROM audit_runs ORDER BY run_id'),
      incidents: await db.all('SELECT run_id, incident_id, session_count FROM audit_run_incidents ORDER BY ALL'),
    };
  } finally {
    db.close();
  }
}

describe('five nightly runs at once on one database', () => {
  it('lets exactly one proceed; the others stop within seconds, naming the holder, changing nothing', async () => {
    const alone = tempDir();
    prepare(alone);
    const solo = await runCliProcess(nightly, alone);
    expect(solo.code, solo.stderr).toBe(0);
    const expected = await snapshot(alone);

    const dir = tempDir();
    prepare(dir);
    const runs: Outcome[] = await Promise.all(Array.from({ length: RUNS }, () => runCliProcess(nightly, dir)));
    const context = JSON.stringify(runs.map((r) => ({ code: r.code, ms: Math.round(r.elapsedMs), stderr: r.stderr.slice(0, 200) })));
    const winners = runs.filter((r) => r.code === 0);
    const losers = runs.filter((r) => r.code !== 0);
    expect(winners, context).toHaveLength(1);
    const holder = winners[0]!.pid;
    for (const loser of losers) {
      expect(loser.code, context).toBe(2);
      expect(loser.stderr, context).toBe(`routeaudit: database "${join(dir, 'n.duckdb')}" is in use by another process (PID ${holder}); wait for that run to finish, or use another --db\n`);
      expect(loser.stderr).not.toMatch(STACK_LINE);
      expect(loser.stdout, context).toBe('');
      expect(loser.elapsedMs, context).toBeLessThan(LOSER_MAX_MS);
    }
    expect(await snapshot(dir)).toEqual(expected);
    expect(readdirSync(join(dir, 'reports')).sort()).toEqual(readdirSync(join(alone, 'reports')).sort());
    console.log(`concurrent runs: ${RUNS} started, 1 proceeded (${Math.round(winners[0]!.elapsedMs)} ms), ${losers.length} stopped in ${losers.map((l) => Math.round(l.elapsedMs)).join(', ')} ms`);
  }, 300_000);
});
