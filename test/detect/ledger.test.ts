import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runAudit, type AuditWindow } from '../../src/detect/audit.js';
import { applyLedger } from '../../src/detect/ledger.js';
import type { AuditReport, Incident } from '../../src/detect/model.js';
import type { Policy } from '../../src/policy/types.js';
import { ingestPaths, jsonl, tempDir, writeFile } from '../helpers.js';
import { toRecord, type Attempt } from './audit-helpers.js';
import { examplePolicy, loaded } from './fixture-policy.js';

const POLICY_PATH = '/policies/routing.yaml';
const DAY_MS = 86_400_000;
const day = (date: string, days = 1): AuditWindow => ({
  since: `${date}T00:00:00.000Z`,
  until: new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString(),
});
const toChina = (session: string, at: string): Attempt => ({ session, at, dc: 'cn-pek1', country: 'US' });

let clock = Date.parse('2020-04-10T00:00:00Z');

/** Each run gets a later clock, as runs on successive nights would. */
async function auditInto(db: Database, window: AuditWindow, policy: Policy = examplePolicy()): Promise<AuditReport> {
  clock += 3_600_000;
  // An edited policy is a new policy version: its own sha, hence its own run ids.
  const version = { ...loaded(policy), sha256: createHash('sha256').update(JSON.stringify(policy)).digest('hex') };
  const report = await runAudit(db, { policy: version, window, now: new Date(clock), databaseLabel: 'test.duckdb' });
  return applyLedger(db, report, { policyPath: POLICY_PATH, kind: 'audit', watermarkFileId: null });
}

async function withLogs(attempts: Attempt[], fn: (db: Database, dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  writeFile(dir, 'logs/a.jsonl', jsonl(attempts.map(toRecord)));
  const db = await Database.open(join(dir, 'test.duckdb'));
  try {
    await ingestPaths(db, [join(dir, 'logs')], dir);
    await fn(db, dir);
  } finally {
    db.close();
  }
}

const geofence = (report: AuditReport): Incident[] => report.incidents.filter((i) => i.rule === 'geofence');

it('marks incidents new, then ongoing when they continue across the night, keeping their id', async () => {
  await withLogs(
    [toChina('a', '2020-04-01T23:40:00Z'), toChina('b', '2020-04-01T23:55:00Z'), toChina('c', '2020-04-02T00:10:00Z'), toChina('late', '2020-04-02T15:00:00Z')],
    async (db) => {
      const night1 = await auditInto(db, day('2020-04-01'));
      expect(geofence(night1).map((i) => [i.sessionIds, i.diffStatus])).toEqual([[['a', 'b'], 'new']]);

      const night2 = await auditInto(db, day('2020-04-02'));
      expect(night2.run.previousRunId).toBe(night1.run.runId);
      expect(geofence(night2).map((i) => [i.sessionIds, i.diffStatus]).sort()).toEqual([
        [['c'], 'ongoing'],
        [['late'], 'new'],
      ]);
      const ongoing = geofence(night2).find((i) => i.diffStatus === 'ongoing')!;
      expect(ongoing.id).toBe(geofence(night1)[0]!.id);
      expect(ongoing.firstReportedAt).toBe(night1.run.generatedAt);
      expect(night2.findings.find((f) => f.sessionId === 'c' && f.rule === 'geofence')!.incidentId).toBe(ongoing.id);
      expect(night2.verdict.newIncidents).toBe(night2.incidents.filter((i) => i.diffStatus === 'new').length);
    },
  );
});

it('calls new only what no run reported: a week after two nights, and two nights after a week', async () => {
  const attempts = [toChina('a', '2020-04-01T10:00:00Z'), toChina('b', '2020-04-02T10:00:00Z'), toChina('c', '2020-04-03T10:00:00Z')];
  await withLogs(attempts, async (db) => {
    await auditInto(db, day('2020-04-01'));
    await auditInto(db, day('2020-04-02'));
    const week = await auditInto(db, day('2020-03-28', 7));
    expect(geofence(week).map((i) => [i.sessionIds, i.diffStatus])).toEqual([
      [['c'], 'new'],
      [['b'], 'ongoing'],
      [['a'], 'ongoing'],
    ]);
  });
  await withLogs(attempts, async (db) => {
    const week = await auditInto(db, day('2020-03-28', 7));
    const night = await auditInto(db, day('2020-04-02'));
    expect(geofence(week).every((i) => i.diffStatus === 'new')).toBe(true);
    expect(geofence(night).map((i) => [i.sessionIds, i.diffStatus])).toEqual([[['b'], 'ongoing']]);
    expect(night.resolvedIncidents).toEqual([]);
  });
});

it('gives a re-run of the same window the same statuses, ids and resolutions', async () => {
  await withLogs([toChina('a', '2020-04-01T10:00:00Z'), toChina('b', '2020-04-09T10:00:00Z')], async (db) => {
    const first = await auditInto(db, day('2020-04-01'));
    const again = await auditInto(db, day('2020-04-01'));
    expect(again.incidents.map((i) => [i.id, i.diffStatus])).toEqual(first.incidents.map((i) => [i.id, i.diffStatus]));
    expect(again.run.previousRunId).toBeNull();
    const later = await auditInto(db, day('2020-04-09'));
    const laterAgain = await auditInto(db, day('2020-04-09'));
    expect(later.resolvedIncidents.map((r) => r.id)).toEqual(first.incidents.map((i) => i.id).sort());
    expect(laterAgain.resolvedIncidents).toEqual(later.resolvedIncidents);
  });
});

it('resolves an incident that a run over its whole span no longer finds', async () => {
  await withLogs([toChina('a', '2020-04-01T10:00:00Z')], async (db) => {
    const before = await auditInto(db, day('2020-04-01'));
    const incident = geofence(before)[0]!;
    const suppressed = examplePolicy({
      suppressions: [{ index: 0, rule: 'geofence', account: null, datacenter: 'cn-pek1', clientRegion: 'US', until: '2030-01-01T00:00:00.000Z', reason: 'test' }],
    });
    const after = await auditInto(db, day('2020-04-01', 2), suppressed);
    const resolved = after.resolvedIncidents.find((r) => r.id === incident.id)!;
    expect(resolved.resolution).toBe('no-longer-found');
    // It keeps the severity it was reported with, for the reports and the OCSF close event.
    expect(incident.severity).toBe('high');
    expect(resolved.severity).toBe('high');
    expect(after.verdict.resolvedIncidents).toBe(after.resolvedIncidents.length);
  });
});

it('resolves an incident after the quiet period without findings, not before', async () => {
  await withLogs([toChina('a', '2020-04-01T10:00:00Z'), { session: 'ok', at: '2020-04-05T10:00:00Z', dc: 'us-sjc1', country: 'US' }], async (db) => {
    const first = await auditInto(db, day('2020-04-01'));
    const id = geofence(first)[0]!.id;
    // The window ends 2020-04-06, 4 days 14 hours after the last session: inside the 7-day quiet period.
    expect((await auditInto(db, day('2020-04-05'))).resolvedIncidents).toEqual([]);
    const quiet = await auditInto(db, day('2020-04-08'));
    expect(quiet.resolvedIncidents.map((r) => [r.id, r.resolution])).toContainEqual([id, 'quiet-period']);
    expect(quiet.resolvedIncidents.map((r) => r.id).sort()).toEqual(first.incidents.map((i) => i.id).sort());
    // Resolved once: the next night has nothing left to resolve.
    expect((await auditInto(db, day('2020-04-09'))).resolvedIncidents).toEqual([]);
  });
});

it('resolves an incident whose cause finding left the policy, and reopens it when it is found again', async () => {
  await withLogs([toChina('a', '2020-04-01T10:00:00Z')], async (db, dir) => {
    const first = await auditInto(db, day('2020-04-01'));
    const incident = geofence(first)[0]!;
    expect(incident.causeFindingIds).toHaveLength(1);
    const fixed = examplePolicy({
      routing: { ...examplePolicy().routing, US: { primary: ['us-sjc1', 'us-iad1'], secondary: ['ca-yyz1', 'eu-ams1'] } },
    });
    const next = await auditInto(db, day('2020-04-02'), fixed);
    expect(next.resolvedIncidents.map((r) => [r.id, r.resolution])).toContainEqual([incident.id, 'cause-removed']);

    // A late log shows another session of the same incident: it is back, under its id.
    writeFile(dir, 'late/b.jsonl', jsonl([toRecord(toChina('b', '2020-04-01T10:20:00Z'))]));
    await ingestPaths(db, [join(dir, 'late')], dir);
    const again = await auditInto(db, day('2020-04-01'), fixed);
    expect(geofence(again).map((i) => [i.id, i.diffStatus, i.sessionIds])).toEqual([[incident.id, 'reopened', ['a', 'b']]]);
    expect(again.verdict.reopenedIncidents).toBe(1);
    expect(geofence(again)[0]!.firstReportedAt).toBe(first.run.generatedAt);
  });
});
