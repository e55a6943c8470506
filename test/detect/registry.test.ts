import { describe, expect, it } from 'vitest';
import { loadDetections, parseDetection } from '../../src/detect/registry.js';
import { SEVERITIES } from '../../src/detect/model.js';
import { deriveSessions } from '../../src/detect/sessions.js';
import { prepareStore } from '../../src/ingest/ingester.js';
import { loadPolicyTables } from '../../src/policy/tables.js';
import { memoryDb } from '../helpers.js';
import { examplePolicy } from './fixture-policy.js';

const SHAPES: Record<string, [string, string][]> = {
  session: [
    ['session_id', 'VARCHAR'],
    ['rule', 'VARCHAR'],
    ['severity', 'VARCHAR'],
    ['dc_id', 'VARCHAR'],
    ['dc_region', 'VARCHAR'],
    ['evidence_file_id', 'BIGINT'],
    ['evidence_line_no', 'BIGINT'],
    ['detail', 'VARCHAR'],
  ],
  policy: [
    ['id', 'VARCHAR'],
    ['rule', 'VARCHAR'],
    ['severity', 'VARCHAR'],
    ['path', 'VARCHAR'],
    ['message', 'VARCHAR'],
    ['client_region', 'VARCHAR'],
    ['datacenter', 'VARCHAR'],
  ],
};

describe('detection registry', () => {
  it('loads every detection with a complete header, ids matching file names', () => {
    const detections = loadDetections();
    expect(detections.map((d) => d.id)).toEqual([
      'account-routing',
      'country-mismatch',
      'expired-suppression',
      'fallback-rate',
      'geofence',
      'geofence-contact',
      'premature-fallback',
      'unknown-datacenter',
      'unlisted-datacenter',
      'unplaced-fenced-contact',
      'whitelist',
    ]);
    for (const d of detections) {
      expect(SEVERITIES).toContain(d.severity);
      expect(d.title.length).toBeGreaterThan(10);
      expect(d.description.length).toBeGreaterThan(40);
    }
  });

  it('prepares each detection against the audit tables and gets the shape of its kind', async () => {
    const db = await memoryDb();
    await prepareStore(db);
    await loadPolicyTables(db, examplePolicy());
    await deriveSessions(db, { since: null, until: null, lookbackStart: null, lateAfterFileId: null }, null);
    const values: Record<string, string | number> = { primary_timeout_ms: 5500, window_ms: 3_600_000, max_rate: 0.05, min_sessions: 20, baseline_days: 7, now: '2020-04-05T00:00:00Z' };
    for (const detection of loadDetections()) {
      const params = Object.fromEntries(detection.parameters.map((p) => [p, values[p]!]));
      const { columns } = await db.query(detection.sql, params);
      const shape = columns.map((c) => [c.name, c.type]);
      if (detection.kind === 'window') expect(shape.slice(0, 3), detection.id).toEqual([['client_region', 'VARCHAR'], ['window_start', 'TIMESTAMP WITH TIME ZONE'], ['window_end', 'TIMESTAMP WITH TIME ZONE']]);
      else expect(shape, detection.id).toEqual(SHAPES[detection.kind]);
    }
  });

  it('refuses a header that is incomplete, mismatched or uses undeclared parameters', () => {
    const header = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `-- ${k}: ${v}`).join('\n') + '\nSELECT 1';
    const good = { id: 'x', title: 'A title', severity: 'low', kind: 'session', description: 'd', parameters: 'none' };
    expect(parseDetection('queries/detections/x.sql', header(good)).id).toBe('x');
    expect(() => parseDetection('queries/detections/y.sql', header(good))).toThrow(/does not match the file name/);
    expect(() => parseDetection('queries/detections/x.sql', header({ ...good, severity: 'urgent' }))).toThrow(/unknown severity "urgent"/);
    expect(() => parseDetection('queries/detections/x.sql', header({ ...good, kind: 'row' }))).toThrow(/unknown kind/);
    const { title: _title, ...noTitle } = good;
    expect(() => parseDetection('queries/detections/x.sql', header(noTitle))).toThrow(/lacks "title"/);
    expect(() => parseDetection('queries/detections/x.sql', header(good) + ' WHERE a = $limit')).toThrow(/undeclared parameter\(s\) \$limit/);
  });
});
