import { expect, it } from 'vitest';
import { audit, type Attempt } from './audit-helpers.js';

const toChina = (session: string, at: string, country = 'US', traffic?: string): Attempt => ({ session, at, dc: 'cn-pek1', country, traffic });

it('groups findings by rule, client region and datacenter region, splitting on gaps over incident_gap', async () => {
  const report = await audit([
    toChina('a', '2020-04-01T08:00:00Z'),
    toChina('b', '2020-04-01T08:30:00Z'),
    toChina('c', '2020-04-01T09:00:01Z', 'US', 'key_exchange'),
    toChina('d', '2020-04-01T08:10:00Z', 'CA'),
  ]);
  const geofence = report.incidents.filter((i) => i.rule === 'geofence');
  const summary = geofence.map((i) => [i.clientRegion, i.sessionIds, i.severity, i.firstSeen, i.lastSeen]).sort();
  expect(summary).toEqual([
    ['CA', ['d'], 'high', '2020-04-01T08:10:00.000Z', '2020-04-01T08:10:00.000Z'],
    ['US', ['a', 'b'], 'high', '2020-04-01T08:00:00.000Z', '2020-04-01T08:30:00.000Z'],
    ['US', ['c'], 'critical', '2020-04-01T09:00:01.000Z', '2020-04-01T09:00:01.000Z'],
  ]);
  for (const incident of geofence) {
    for (const id of incident.sessionIds) {
      expect(report.findings.find((f) => f.rule === 'geofence' && f.sessionId === id)!.incidentId).toBe(incident.id);
    }
  }
  expect(new Set(geofence.map((i) => i.id)).size).toBe(3);
  expect(report.incidents[0]!.severity).toBe('critical');
});

it('gives the same incidents the same ids in another run, and keeps an incident whole across a window edge', async () => {
  const attempts = [toChina('a', '2020-04-01T08:00:00Z'), toChina('b', '2020-04-01T08:20:00Z')];
  const first = await audit(attempts);
  const second = await audit([...attempts, { session: 'z', at: '2020-04-02T10:00:00Z', dc: 'us-sjc1', country: 'US' }]);
  const ids = (r: typeof first) => r.incidents.filter((i) => i.rule === 'geofence').map((i) => i.id);
  expect(ids(first)).toHaveLength(1);
  expect(ids(second)).toEqual(ids(first));
});
