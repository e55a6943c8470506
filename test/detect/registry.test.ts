import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shapeProblems } from '../../src/db/shape.js';
import { loadDetections, parseDetection } from '../../src/detect/registry.js';
import { POLICY_RULE_ROW, RAISED_SESSION_RULE_ROW, SESSION_RULE_ROW, WINDOW_RULE_ROW } from '../../src/detect/shapes.js';
import { QUERIES_DIR } from '../../src/queries.js';
import { SEVERITIES } from '../../src/detect/model.js';
import { deriveSessions } from '../../src/detect/sessions.js';
import { prepareStore } from '../../src/ingest/ingester.js';
import { loadPolicyTables } from '../../src/policy/tables.js';
import { memoryDb } from '../helpers.js';
import { examplePolicy } from './fixture-policy.js';

describe('detection registry', () => {
  it('reads one detection per file of queries/detections, its id the file name, with a complete header', () => {
    const files = readdirSync(join(QUERIES_DIR, 'detections')).filter((f) => f.endsWith('.sql'));
    const detections = loadDetections();
    // Each rule of this install says it needs no attempt of a routine session, so the ClickHouse engine may leave them in the cluster.
    expect(detections.filter((d) => !d.routineAttemptsNotNeeded).map((d) => d.id)).toEqual([]);
    expect(detections.map((d) => `${d.id}.sql`).sort()).toEqual(files.sort());
    for (const d of detections) {
      expect(SEVERITIES).toContain(d.severity);
      expect(d.title.length).toBeGreaterThan(10);
      expect(d.description.length).toBeGreaterThan(40);
      // Every rule that forms incidents words them; no other rule does.
      expect(d.wording !== null, d.id).toBe(d.kind === 'session' && d.grouping === 'incidents');
      // Policy findings are fixed in the policy; every other rule can be narrowed by something.
      expect(d.suppressBy.length === 0, d.id).toBe(d.kind === 'policy');
    }
  });

  it('prepares each detection against the audit tables and gets exactly the shape of its kind, with no rule or severity column', async () => {
    const db = await memoryDb();
    await prepareStore(db);
    await loadPolicyTables(db, examplePolicy());
    await deriveSessions(db, { since: null, until: null, lookbackStart: null, lateAfterFileId: null }, null);
    const values: Record<string, string | number> = { primary_timeout_ms: 5500, window_ms: 3_600_000, max_rate: 0.05, min_sessions: 20, baseline_days: 7, now: '2020-04-05T00:00:00Z' };
    for (const detection of loadDetections()) {
      const params = Object.fromEntries(detection.parameters.map((p) => [p, values[p]!]));
      if (/\$rule\b/.test(detection.sql)) params.rule = detection.id;
      const { columns } = await db.query(detection.sql, params);
      const shape =
        detection.kind === 'window' ? WINDOW_RULE_ROW : detection.kind === 'policy' ? POLICY_RULE_ROW : detection.raised ? RAISED_SESSION_RULE_ROW : SESSION_RULE_ROW;
      expect(shapeProblems(shape, columns, true), detection.id).toEqual([]);
    }
  });

  it('refuses a header that is incomplete, mismatched or uses undeclared parameters', () => {
    const header = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `-- ${k}: ${v}`).join('\n') + '\nSELECT 1';
    const good = { id: 'x', title: 'A title', severity: 'low', kind: 'policy', description: 'd', parameters: 'none' };
    expect(parseDetection('queries/detections/x.sql', header(good)).id).toBe('x');
    expect(() => parseDetection('queries/detections/y.sql', header(good))).toThrow(/does not match the file name/);
    expect(() => parseDetection('queries/detections/x.sql', header({ ...good, severity: 'urgent' }))).toThrow(/unknown severity "urgent"/);
    expect(() => parseDetection('queries/detections/x.sql', header({ ...good, kind: 'row' }))).toThrow(/unknown kind/);
    const { title: _title, ...noTitle } = good;
    expect(() => parseDetection('queries/detections/x.sql', header(noTitle))).toThrow(/lacks "title"/);
    expect(() => parseDetection('queries/detections/x.sql', header(good) + ' WHERE a = $limit')).toThrow(/undeclared parameter\(s\) \$limit/);
    expect(() => parseDetection('queries/detections/x.sql', header({ ...good, severty: 'low' }))).toThrow(/unknown key "severty"/);
    expect(() => parseDetection('queries/detections/x.sql', header({ ...good, routine: 'attempts-not-needed' }))).toThrow(/"routine" is for session and window rules/);
    expect(parseDetection('queries/detections/x.sql', header(good)).routineAttemptsNotNeeded).toBe(true);
  });

  it('reads what raises the severity, what narrows a suppression, the grouping and the causes', () => {
    const header = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `-- ${k}: ${v}`).join('\n') + '\nSELECT 1';
    const wording = { 'incident-title': 'T {client_region}', 'what-happened': '{sessions:session}.', 'incident-cause': 'C', 'incident-action': 'A' };
    const session = { id: 'x', title: 'A title', severity: 'high', kind: 'session', description: 'd', parameters: 'none', suppress: 'account, client_region', ...wording };
    const parsed = parseDetection('queries/detections/x.sql', header({ ...session, raised: 'critical when keys were exchanged', causes: 'whitelist' }));
    expect(parsed.raised).toEqual({ severity: 'critical', when: 'keys were exchanged' });
    expect(parsed.suppressBy).toEqual(['account', 'client_region']);
    expect(parsed.grouping).toBe('incidents');
    expect(parsed.causes).toEqual(['whitelist']);
    expect(parsed.wording?.title.render({ client_region: 'US' })).toBe('T US');
    // Without the declaration a session rule may need attempts of routine sessions (docs/clickhouse.md).
    expect(parsed.routineAttemptsNotNeeded).toBe(false);
    expect(parseDetection('queries/detections/x.sql', header({ ...session, routine: 'attempts-not-needed' })).routineAttemptsNotNeeded).toBe(true);
    expect(() => parseDetection('queries/detections/x.sql', header({ ...session, routine: 'yes' }))).toThrow(/unknown "routine" value "yes" \(expected attempts-not-needed\)/);

    const refused = (fields: Record<string, string>) => () => parseDetection('queries/detections/x.sql', header(fields));
    expect(refused({ ...session, raised: 'medium when x' })).toThrow(/"raised" must be above the severity high/);
    expect(refused({ ...session, raised: 'critical if x' })).toThrow(/"raised" should read "<severity> when/);
    expect(refused({ ...session, suppress: 'meeting' })).toThrow(/unknown suppression key "meeting"/);
    expect(refused({ ...session, causes: 'fallback-rate' })).toThrow(/unknown cause "fallback-rate"/);
    expect(refused({ ...session, grouping: 'hourly' })).toThrow(/unknown grouping "hourly"/);
    const { suppress: _suppress, ...unsuppressed } = session;
    expect(refused(unsuppressed)).toThrow(/lacks "suppress"/);
    const { 'incident-action': _action, ...unworded } = session;
    expect(refused(unworded)).toThrow(/lacks "incident-action": a rule whose findings form incidents words them/);
    expect(refused({ ...session, 'incident-cause': 'because {cuase}' })).toThrow(/x\.sql: header "incident-cause": unknown field \{cuase\}/);
    expect(refused({ ...session, grouping: 'country-pairs' })).toThrow(/word incidents, and this rule forms none/);
    expect(refused({ id: 'x', title: 'A title', severity: 'low', kind: 'policy', description: 'd', parameters: 'none', suppress: 'account' })).toThrow(/cannot be suppressed/);
  });
});
