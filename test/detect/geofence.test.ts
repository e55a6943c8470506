import { describe, expect, it } from 'vitest';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';

describe('geofence', () => {
  it('finds exactly the sessions connected to a fenced datacenter from outside the fence', async () => {
    const report = await audit([
      { session: 'us-to-cn', at: 0, dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
      { session: 'us-to-cn', at: 5.5, dc: 'cn-pek1', country: 'US' },
      { session: 'us-home', at: 0, dc: 'us-sjc1', country: 'US' },
      { session: 'cn-home', at: 0, dc: 'cn-pek1', country: 'CN' },
      { session: 'jp-to-cn', at: 10, dc: 'cn-aws1', country: 'JP' },
      { session: 'no-country', at: 20, dc: 'cn-pek1' },
      { session: 'za-unmapped', at: 30, dc: 'cn-aws1', country: 'ZA' },
      { session: 'us-refused-cn', at: 40, dc: 'cn-pek1', outcome: 'refused', country: 'US' },
    ]);
    // Fail-closed: clients no region places are not admitted either (fail-closed.test.ts has the cases).
    expect(sessionsOf(report, 'geofence')).toEqual(['jp-to-cn', 'no-country', 'us-to-cn', 'za-unmapped']);
    expect(findingOf(report, 'geofence', 'jp-to-cn').clientRegion).toBe('JP-HK');
  });

  it('judges sessions of region unknown or unmapped as outside every fence, and counts their fenced contacts in coverage', async () => {
    const report = await audit([
      { session: 'no-country', at: 20, dc: 'cn-pek1' },
      { session: 'za-unmapped', at: 30, dc: 'cn-aws1', country: 'ZA' },
      { session: 'za-refused', at: 40, dc: 'cn-aws1', outcome: 'refused', country: 'ZA' },
    ]);
    expect(sessionsOf(report, 'geofence')).toEqual(['no-country', 'za-unmapped']);
    expect(sessionsOf(report, 'geofence-contact')).toEqual(['za-refused']);
    expect(report.coverage.map((c) => [c.clientRegion, c.sessions, c.fencedRegionSessions])).toEqual([
      ['unknown', 1, 1],
      ['unmapped', 2, 1],
    ]);
  });

  it('is high, and critical when the session exchanged keys with a fenced datacenter', async () => {
    const report = await audit([
      { session: 'plain', at: 0, dc: 'cn-pek1', country: 'US', traffic: 'media' },
      { session: 'keys', at: 0, dc: 'cn-pek1', country: 'US', traffic: 'signaling' },
      { session: 'keys', at: 1, dc: 'cn-pek1', country: 'US', traffic: 'key_exchange' },
      { session: 'keys-elsewhere', at: 0, dc: 'cn-pek1', country: 'US', traffic: 'media' },
      { session: 'keys-elsewhere', at: 1, dc: 'us-sjc1', country: 'US', traffic: 'key_exchange' },
    ]);
    expect(findingOf(report, 'geofence', 'plain').severity).toBe('high');
    expect(findingOf(report, 'geofence', 'keys').severity).toBe('critical');
    expect(findingOf(report, 'geofence', 'keys-elsewhere').severity).toBe('high');
  });

  it('names the first connected fenced attempt as the datacenter and evidence line', async () => {
    const report = await audit([
      { session: 's', at: 0, dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
      { session: 's', at: 6, dc: 'cn-pek1', outcome: 'timeout', country: 'US' },
      { session: 's', at: 12, dc: 'cn-aws1', country: 'US' },
      { session: 's', at: 13, dc: 'cn-pek1', country: 'US' },
    ]);
    const finding = findingOf(report, 'geofence', 's');
    expect(finding.datacenter).toBe('cn-aws1');
    expect(finding.datacenterRegion).toBe('CN');
    expect(finding.evidence.line).toBe(3);
    expect(finding.evidence.ts).toBe('2020-04-01T08:00:12.000Z');
  });

  it('uses the first non-null client_country in time order, whatever the timestamp offsets', async () => {
    const report = await audit([
      // 08:00:05Z written with a +08:00 offset comes after 08:00:01Z written as UTC.
      { session: 's', at: '2020-04-01T16:00:05+08:00', dc: 'cn-pek1', country: 'CN' },
      { session: 's', at: '2020-04-01T08:00:01Z', dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
    ]);
    expect(sessionsOf(report, 'geofence')).toEqual(['s']);
    expect(findingOf(report, 'geofence', 's').clientCountry).toBe('US');
    expect(findingOf(report, 'geofence', 's').sessionStart).toBe('2020-04-01T08:00:01.000Z');
  });

  it('assigns a session spanning midnight UTC to the day it started', async () => {
    const attempts = [
      { session: 'late', at: '2020-04-01T23:59:58Z', dc: 'us-sjc1', outcome: 'timeout' as const, country: 'US' },
      { session: 'late', at: '2020-04-02T00:00:04Z', dc: 'cn-pek1', country: 'US' },
    ];
    const day1 = await audit(attempts, { window: { since: '2020-04-01T00:00:00.000Z', until: '2020-04-02T00:00:00.000Z' } });
    const day2 = await audit(attempts, { window: { since: '2020-04-02T00:00:00.000Z', until: '2020-04-03T00:00:00.000Z' } });
    expect(sessionsOf(day1, 'geofence')).toEqual(['late']);
    expect(sessionsOf(day2, 'geofence')).toEqual([]);
  });

  it('reads a windowed session whole, and leaves out one that started before the lookback', async () => {
    const report = await audit(
      [
        // Started in the window; its fenced connection and its country lie after `until`.
        { session: 'spills-over', at: '2020-04-01T23:59:59Z', dc: 'us-sjc1', outcome: 'timeout' },
        { session: 'spills-over', at: '2020-04-03T00:00:00Z', dc: 'cn-pek1', country: 'US' },
        // Started 20 days before the window (past the 7-day baseline lookback); its last attempt lies inside.
        { session: 'old', at: '2020-03-12T10:00:00Z', dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
        { session: 'old', at: '2020-04-01T10:00:00Z', dc: 'cn-pek1', country: 'US' },
        { session: 'inside', at: '2020-04-01T12:00:00Z', dc: 'us-sjc1', country: 'US' },
      ],
      { window: { since: '2020-04-01T00:00:00.000Z', until: '2020-04-02T00:00:00.000Z' } },
    );
    expect(sessionsOf(report, 'geofence')).toEqual(['spills-over']);
    expect(findingOf(report, 'geofence', 'spills-over').clientCountry).toBe('US');
    expect(report.coverage.find((c) => c.clientRegion === 'US')?.sessions).toBe(2);
  });
});
