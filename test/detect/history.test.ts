import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runAudit, type AuditWindow } from '../../src/detect/audit.js';
import { applyHistory } from '../../src/detect/history.js';
import type { AuditReport } from '../../src/detect/model.js';
import type { Policy } from '../../src/policy/types.js';
import { ingestPaths, jsonl, tempDir, writeFile } from '../helpers.js';
import { toRecord, type Attempt } from './audit-helpers.js';
import { examplePolicy, loaded } from './fixture-policy.js';

const POLICY_PATH = '/policies/routing.yaml';
const day = (d: string): AuditWindow => ({ since: `2020-04-0${d}T00:00:00.000Z`, until: `2020-04-0${Number(d) + 1}T00:00:00.000Z` });
const toChina = (session: string, at: string): Attempt => ({ session, at, dc: 'cn-pek1', country: 'US' });

async function auditInto(db: Database, window: AuditWindow, policy: Policy = examplePolicy()): Promise<AuditReport> {
  const report = await runAudit(db, { policy: loaded(policy), window, now: new Date('2020-04-10T00:00:00Z'), databaseLabel: 'test.duckdb' });
  return applyHistory(db, report, POLICY_PATH);
}

async function withLogs(attempts: Attempt[], fn: (db: Database) => Promise<void>): Promise<void> {
  const dir = tempDir();
  writeFile(dir, 'logs/a.jsonl', jsonl(attempts.map(toRecord)));
  const db = await Database.open(join(dir, 'test.duckdb'));
  try {
    await ingestPaths(db, [join(dir, 'logs')], dir);
    await fn(db);
  } finally {
    db.close();
  }
}

it('marks incidents new, then ongoing when they continue across the night, keeping their id', async () => {
  await withLogs(
    [toChina('a', '2020-04-01T23:40:00Z'), toChina('b', '2020-04-01T23:55:00Z'), toChina('c', '2020-04-02T00:10:00Z'), toChina('late', '2020-04-02T15:00:00Z')],
    async (db) => {
      const night1 = await auditInto(db, day('1'));
      const geofence1 = night1.incidents.filter((i) => i.rule === 'geofence');
      expect(geofence1.map((i) => [i.sessionIds, i.diffStatus])).toEqual([[['a', 'b'], 'new']]);

      const night2 = await auditInto(db, day('2'));
      expect(night2.run.previousRunId).toBe(night1.run.runId);
      const geofence2 = night2.incidents.filter((i) => i.rule === 'geofence');
      expect(geofence2.map((i) => [i.sessionIds, i.diffStatus]).sort()).toEqual([
        [['c'], 'ongoing'],
        [['late'], 'new'],
      ]);
      expect(geofence2.find((i) => i.diffStatus === 'ongoing')!.id).toBe(geofence1[0]!.id);
      expect(night2.findings.find((f) => f.sessionId === 'c' && f.rule === 'geofence')!.incidentId).toBe(geofence1[0]!.id);
      expect(night2.verdict.newIncidents).toBe(night2.incidents.filter((i) => i.diffStatus === 'new').length);
    },
  );
});

it('gives a re-run of the same window the same statuses and ids', async () => {
  await withLogs([toChina('a', '2020-04-01T10:00:00Z')], async (db) => {
    const first = await auditInto(db, day('1'));
    const again = await auditInto(db, day('1'));
    expect(again.incidents).toEqual(first.incidents);
    expect(again.run.previousRunId).toBeNull();
  });
});

it('marks a previous incident resolved when a later run covering its time no longer finds it', async () => {
  await withLogs([toChina('a', '2020-04-01T10:00:00Z')], async (db) => {
    const before = await auditInto(db, day('1'));
    const geofence = before.incidents.find((i) => i.rule === 'geofence')!;
    const suppressed = examplePolicy({
      suppressions: [{ index: 0, rule: 'geofence', account: null, datacenter: 'cn-pek1', clientRegion: 'US', until: '2030-01-01T00:00:00.000Z', reason: 'test' }],
    });
    const after = await auditInto(db, { since: '2020-04-01T00:00:00.000Z', until: '2020-04-03T00:00:00.000Z' }, suppressed);
    expect(after.resolvedIncidents.map((r) => r.id)).toContain(geofence.id);
    // It keeps the severity it was reported with, for the reports and the OCSF close event.
    expect(geofence.severity).toBe('high');
    expect(after.resolvedIncidents.find((r) => r.id === geofence.id)?.severity).toBe('high');
    expect(after.incidents.map((i) => i.id)).not.toContain(geofence.id);
    expect(after.verdict.resolvedIncidents).toBe(after.resolvedIncidents.length);
  });
});
