import { runAudit, type AuditWindow } from '../../src/detect/audit.js';
import type { AuditReport, SessionFinding } from '../../src/detect/model.js';
import type { Registry } from '../../src/detect/registry.js';
import type { GeoSource } from '../../src/geo/source.js';
import type { Policy } from '../../src/policy/types.js';
import { ingestPaths, jsonl, memoryDb, tempDir, writeFile } from '../helpers.js';
import { examplePolicy, loaded } from './fixture-policy.js';

export interface Attempt {
  session: string;
  /** ISO time, or seconds after 2020-04-01T08:00:00Z. */
  at: string | number;
  dc: string;
  outcome?: 'connected' | 'timeout' | 'refused' | 'error';
  country?: string;
  tier?: 'primary' | 'secondary';
  traffic?: string;
  account?: string;
  /** client_ip, as logged. */
  ip?: string;
  /** dc_ip, as logged. */
  dcIp?: string;
}

const BASE = Date.parse('2020-04-01T08:00:00Z');

export function toRecord(a: Attempt): Record<string, unknown> {
  const ts = typeof a.at === 'number' ? new Date(BASE + a.at * 1000).toISOString() : a.at;
  return {
    ts,
    session_id: a.session,
    dc_id: a.dc,
    outcome: a.outcome ?? 'connected',
    ...(a.country ? { client_country: a.country } : {}),
    ...(a.tier ? { tier: a.tier } : {}),
    ...(a.traffic ? { traffic: a.traffic } : {}),
    ...(a.account ? { account_id: a.account } : {}),
    ...(a.ip !== undefined ? { client_ip: a.ip } : {}),
    ...(a.dcIp !== undefined ? { dc_ip: a.dcIp } : {}),
  };
}

/** Ingests the attempts into a fresh in-memory database and audits them. */
export async function audit(
  attempts: readonly Attempt[],
  options: { policy?: Policy; window?: AuditWindow; now?: string; geo?: GeoSource | null; registry?: Registry } = {},
): Promise<AuditReport> {
  const dir = tempDir();
  writeFile(dir, 'logs.jsonl', jsonl(attempts.map(toRecord)));
  const db = await memoryDb();
  const summary = await ingestPaths(db, [dir], dir);
  if (summary.totals.rejected > 0) throw new Error('fixture has rejected lines');
  return runAudit(db, {
    policy: loaded(options.policy ?? examplePolicy()),
    window: options.window ?? { since: null, until: null },
    now: new Date(options.now ?? '2020-04-05T00:00:00Z'),
    databaseLabel: ':memory:',
    geo: options.geo ?? null,
    ...(options.registry ? { registry: options.registry } : {}),
  });
}

/** Session ids of one rule's findings, sorted. */
export function sessionsOf(report: AuditReport, rule: string, status?: SessionFinding['status']): string[] {
  return report.findings
    .filter((f) => f.rule === rule && (status === undefined || f.status === status))
    .map((f) => f.sessionId)
    .sort();
}

export function findingOf(report: AuditReport, rule: string, session: string): SessionFinding {
  const found = report.findings.find((f) => f.rule === rule && f.sessionId === session);
  if (!found) throw new Error(`no ${rule} finding for ${session}`);
  return found;
}
