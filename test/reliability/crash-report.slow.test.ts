/**
 * Crash during a report: `routeaudit audit` writing ~40 MB of reports (15,000
 * finding sessions) is SIGKILLed at random moments of its write, alternately
 * re-running a window that has a run folder and another. After every kill,
 * every run folder is complete and byte-identical to that run's reference,
 * `latest` points at a complete run, and no half-written folder is listed as a
 * run; the next run clears what the killed one left.
 */
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listRunFolders } from '../../src/report/write.js';
import { ensureBuilt, runCliProcess, seededRandom } from '../support/cli-process.js';
import { tempDir, writeFile } from '../helpers.js';
import { expectCompleteRunFolder, folderDigest, latestTarget } from './support.js';

const SESSIONS = 15_000;
const TRIALS = 12;
const SEED = Number(process.env.RELIABILITY_SEED ?? 2020);
const POLICY = new URL('../fixtures/policies/example.yaml', import.meta.url);
const WINDOWS = [
  ['--since', '2020-04-01', '--until', '2020-04-02'],
  ['--since', '2020-04-01', '--until', '2020-04-01T12:00:00Z'],
];

beforeAll(() => {
  ensureBuilt();
}, 120_000);

/** US clients connected to a fenced CN datacenter, with key exchange: a geofence and a premature-fallback finding each. */
function writeLogs(dir: string): void {
  const start = Date.UTC(2020, 3, 1);
  const lines: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    lines.push(JSON.stringify({ ts: new Date(start + i * 5000).toISOString(), session_id: `sess-${i}`, dc_id: 'cn-pek1', outcome: 'connected', tier: 'secondary', client_country: 'US', account_id: `acct-${i % 500}`, meeting_id: `m-${i % 3000}`, user_id: `u-${i}`, traffic: 'key_exchange' }));
  }
  writeFile(dir, 'logs/a.jsonl', lines.join('\n') + '\n');
}

function auditArgs(dir: string, window: string[]): string[] {
  return ['audit', '--db', 'r.duckdb', '--policy', join(dir, 'policy.yaml'), '--out', 'reports', ...window, '--now', '2020-04-05T00:00:00Z', '--fail-on', 'none'];
}

const tempEntries = (out: string) => (existsSync(out) ? readdirSync(out).filter((name) => name.startsWith('.tmp-')) : []);

describe('SIGKILL while writing the reports', () => {
  it(`leaves every run folder and latest intact over ${TRIALS} kills (seed ${SEED})`, async () => {
    const dir = tempDir();
    writeLogs(dir);
    copyFileSync(fileURLToPath(POLICY), join(dir, 'policy.yaml'));
    expect((await runCliProcess(['ingest', 'logs', '--db', 'r.duckdb'], dir)).code).toBe(0);
    const out = join(dir, 'reports');

    // Each window twice, so that the run history (and with it each report) no longer changes; the second write is the reference.
    const reference = new Map<string, Record<string, string>>();
    let writeMs = 0;
    for (const window of [...WINDOWS, ...WINDOWS]) {
      let appeared = 0;
      const watcher = setInterval(() => {
        if (appeared === 0 && tempEntries(out).length > 0) appeared = performance.now();
      }, 1);
      const run = await runCliProcess(auditArgs(dir, window), dir);
      clearInterval(watcher);
      expect(run.code, run.stderr).toBe(0);
      if (appeared > 0) writeMs = Math.max(writeMs, performance.now() - appeared);
      const runId = latestTarget(out)!;
      reference.set(runId, folderDigest(join(out, runId)));
    }
    expect(reference.size).toBe(2);
    expect(writeMs, 'the write phase was seen').toBeGreaterThan(0);

    const random = seededRandom(SEED);
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const before = latestTarget(out);
      // Most of the measured phase is the writing; its end is the process exiting.
      const afterMs = Math.round(random() * writeMs * 0.7);
      const run = await runCliProcess(auditArgs(dir, WINDOWS[trial % 2]!), dir, { kill: { state: () => tempEntries(out).join('/'), afterMs } });
      const left = tempEntries(out);
      const latest = latestTarget(out);
      const context = JSON.stringify({ trial, afterMs, signal: run.signal, before, latest, left, runs: readdirSync(out) });

      // No half-written folder under a run's name: every visible folder is a complete, reference run.
      const runs = await listRunFolders(out);
      expect(runs.sort(), context).toEqual([...reference.keys()].sort().filter((id) => runs.includes(id)));
      for (const runId of runs) {
        expect(expectCompleteRunFolder(join(out, runId)), context).toBeNull();
        expect(folderDigest(join(out, runId)), context).toEqual(reference.get(runId));
      }
      expect(latest, context).not.toBeNull();
      if (runs.includes(latest!)) {
        outcomes.push(run.signal === 'SIGKILL' ? (left.some((n) => n.startsWith('.tmp-latest-')) ? 'killed at latest' : left.length > 0 ? 'killed mid-write' : 'killed after the write') : 'completed');
      } else {
        // Killed in the one window that cannot be atomic: between moving the old folder of the
        // same run aside and moving the new one in. The old folder is whole, under its temp
        // name, and the next run puts it back (checked by the next trial).
        expect(run.signal, context).toBe('SIGKILL');
        const aside = left.find((name) => name.startsWith(`.tmp-replaced-${latest}-`));
        expect(aside, context).toBeDefined();
        expect(folderDigest(join(out, aside!)), context).toEqual(reference.get(latest!));
        outcomes.push('killed while replacing');
      }
      if (run.signal === null) {
        expect(run.code, run.stderr).toBe(0);
        expect(left, context).toEqual([]);
      }
    }
    expect(outcomes.filter((o) => o.startsWith('killed')).length, outcomes.join(', ')).toBeGreaterThanOrEqual(TRIALS / 2);

    // A normal run clears every leftover of the killed ones.
    const final = await runCliProcess(auditArgs(dir, WINDOWS[0]!), dir);
    expect(final.code, final.stderr).toBe(0);
    expect(tempEntries(out)).toEqual([]);
    expect(readdirSync(out).sort()).toEqual([...reference.keys(), 'latest'].sort());
    for (const [runId, digest] of reference) expect(folderDigest(join(out, runId))).toEqual(digest);
    const counts = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
    console.log(`crash during a report: ${TRIALS} trials (seed ${SEED}, write phase ~${Math.round(writeMs)} ms): ${JSON.stringify(counts)}`);
  }, 900_000);
});
