import { describe, expect, it } from 'vitest';
import { renderOcsf, type OcsfEvent } from '../../src/report/ocsf.js';
import { cleanReport, fixtureReport } from '../fixtures/report/fixture.js';
import { present } from '../fixtures/report/present.js';

/**
 * Required attributes at OCSF 1.1.0 (github.com/ocsf/ocsf-schema, tag v1.1.0):
 * base_event and its classification and occurrence includes, finding,
 * compliance_finding (plus its compliance object) and detection_finding.
 */
const BASE_REQUIRED = ['activity_id', 'category_uid', 'class_uid', 'type_uid', 'severity_id', 'time', 'metadata'];
const FINDING_REQUIRED = [...BASE_REQUIRED, 'finding_info'];
const CLASS_REQUIRED: Record<number, string[]> = {
  2003: [...FINDING_REQUIRED, 'compliance'],
  2004: FINDING_REQUIRED,
};

function events(): OcsfEvent[] {
  return JSON.parse(renderOcsf(fixtureReport())) as OcsfEvent[];
}

describe('renderOcsf', () => {
  it('gives every event the required attributes of its class, with valid values', () => {
    const all = events();
    expect(all.length).toBeGreaterThan(0);
    for (const event of all) {
      const label = `${event.class_uid} ${event.finding_info?.uid}`;
      for (const attribute of present(CLASS_REQUIRED[event.class_uid], `the required attributes of class ${event.class_uid}`)) expect(event, `${label}: ${attribute}`).toHaveProperty(attribute);
      expect(event.category_uid).toBe(2);
      expect(event.type_uid).toBe(event.class_uid * 100 + event.activity_id);
      expect([1, 2, 3]).toContain(event.activity_id);
      expect([1, 2, 3, 4, 5]).toContain(event.severity_id);
      expect([1, 2, 3, 4]).toContain(event.status_id);
      expect(Number.isInteger(event.time)).toBe(true);
      expect(event.metadata.version).toBe('1.1.0');
      expect(event.metadata.product).toEqual({ name: 'routeaudit', vendor_name: 'routeaudit', version: '0.1.0' });
      expect(typeof event.finding_info.uid).toBe('string');
      expect(event.finding_info.title.length).toBeGreaterThan(0);
      expect(event.finding_info.first_seen_time).toBeLessThanOrEqual(event.finding_info.last_seen_time);
      if (event.class_uid === 2003) {
        expect(event.compliance?.standards.length).toBeGreaterThan(0);
        expect([1, 2, 3]).toContain(event.compliance?.status_id);
      }
    }
  });

  it('maps incidents, resolved incidents, suppressed findings and policy findings to Compliance Findings', () => {
    const compliance = events().filter((event) => event.class_uid === 2003);
    expect(compliance.map((event) => [event.finding_info.uid, event.type_uid, event.severity_id, event.status])).toEqual([
      ['I-3f9a1c2b7d4e', 200301, 5, 'New'],
      ['I-a81c5e0f9b36', 200302, 4, 'New'],
      // A resolved incident closes with the severity it was opened with (low).
      ['I-77d0e4b1c2a9', 200303, 2, 'Resolved'],
      ['20200401T0000Z_20200402T0000Z_p9f2c4e7a:suppressed:account-routing:0', 200301, 4, 'Suppressed'],
      ['W-5b2e91c4d07a', 200301, 5, 'New'],
      ['S-0d6f3a8e2c19', 200301, 2, 'New'],
    ]);
    const critical = present(compliance[0], 'the critical incident event');
    expect(critical.compliance).toMatchObject({ control: 'geofence', status_id: 3, status: 'Fail' });
    expect(critical.unmapped.routeaudit).toMatchObject({ session_ids: ['s-1001', 's-1002', 's-1003'], key_exchange_sessions: 1 });
    expect(critical.finding_info.first_seen_time).toBe(Date.UTC(2020, 3, 1, 14, 5, 12));
    expect(critical.time).toBe(Date.UTC(2020, 3, 2, 6));
    expect(present(compliance[4], 'the whitelist finding event').compliance?.requirements).toEqual(['routing.US.secondary[2]']);
  });

  it('maps each flagged fallback window to a Detection Finding, suppressed ones as such', () => {
    const detections = events().filter((event) => event.class_uid === 2004 && event.finding_info.types[0] === 'fallback-rate');
    expect(detections.map((event) => [event.finding_info.uid, event.severity_id, event.status, event.finding_info.types])).toEqual([
      ['fallback-rate:CA:2020-04-01T15:00:00.000Z', 3, 'Suppressed', ['fallback-rate', 'max-rate']],
      ['fallback-rate:US:2020-04-01T14:00:00.000Z', 3, 'New', ['fallback-rate', 'max-rate', 'baseline']],
      ['fallback-rate:US:2020-04-01T15:00:00.000Z', 3, 'New', ['fallback-rate', 'max-rate', 'baseline']],
    ]);
    const usPeak = present(detections[1], 'the US 14:00 window event');
    expect(usPeak.start_time).toBe(Date.UTC(2020, 3, 1, 14));
    expect(usPeak.end_time).toBe(Date.UTC(2020, 3, 1, 15));
  });

  it('maps each country-mismatch pair to a low Detection Finding over the run window', () => {
    const mismatches = events().filter((event) => event.finding_info.types.includes('country-mismatch'));
    expect(mismatches.map((event) => [event.class_uid, event.finding_info.uid, event.severity_id, event.count])).toEqual([
      [2004, 'country-mismatch:DE:US:2020-04-01T00:00:00.000Z', 2, 2],
    ]);
    const mismatch = present(mismatches[0], 'the DE/US mismatch event');
    expect(mismatch.unmapped.routeaudit).toMatchObject({ declared_country: 'DE', resolved_country: 'US', sessions: 2 });
    expect([mismatch.start_time, mismatch.end_time]).toEqual([Date.UTC(2020, 3, 1), Date.UTC(2020, 3, 2)]);
  });

  it('emits an empty array for a clean run', () => {
    expect(renderOcsf(cleanReport())).toBe('[]\n');
  });
});
