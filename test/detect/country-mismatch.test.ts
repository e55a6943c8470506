import { describe, expect, it } from 'vitest';
import { fileGeoSource } from '../../src/geo/source.js';
import { tempDir, writeFile } from '../helpers.js';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';
import { examplePolicy } from './fixture-policy.js';

/** A tiny geo database in the --geo format: addresses, numbers, a header, IPv6, and a documentation range it wrongly lists. */
function geo() {
  const dir = tempDir();
  const file = writeFile(
    dir,
    'ranges.csv',
    [
      'first,last,country',
      '1.0.0.0,1.0.0.255,US',
      '33554432,33554687,de', // 2.0.0.0-2.0.0.255, a number and a lower-case code
      '5.0.0.0,5.0.0.255,JP',
      '198.51.100.0,198.51.100.255,AU', // documentation: no country whatever the database says
      '2a01:cb00::,2a01:cb00:ffff:ffff:ffff:ffff:ffff:ffff,FR',
      '',
    ].join('\n'),
  );
  return fileGeoSource([file], dir);
}

const sessions = [
  { session: 'vpn', at: 0, dc: 'eu-ams1', country: 'DE', ip: '1.0.0.7' },
  { session: 'vpn', at: 1, dc: 'eu-ams1', country: 'DE', ip: '1.0.0.7', traffic: 'media' },
  { session: 'vpn-2', at: 600, dc: 'us-sjc1', outcome: 'timeout' as const, country: 'DE', ip: '1.0.0.200' },
  { session: 'vpn-2', at: 606, dc: 'eu-ams1', country: 'DE', ip: '1.0.0.200' },
  { session: 'ipv6', at: 1200, dc: 'eu-ams1', country: 'DE', ip: '2A01:CB00::1' },
  { session: 'agrees', at: 1800, dc: 'us-sjc1', country: 'US', ip: '1.0.0.1' },
  // The first non-null address decides: here it is in the US, though a later one is German.
  { session: 'later-ip', at: 2400, dc: 'eu-ams1', country: 'DE' },
  { session: 'later-ip', at: 2401, dc: 'eu-ams1', country: 'DE', ip: '1.0.0.9' },
  { session: 'later-ip', at: 2402, dc: 'eu-ams1', country: 'DE', ip: '2.0.0.9' },
  { session: 'first-ip-agrees', at: 3000, dc: 'eu-ams1', country: 'DE', ip: '2.0.0.1' },
  { session: 'first-ip-agrees', at: 3001, dc: 'eu-ams1', country: 'DE', ip: '1.0.0.1' },
  { session: 'private', at: 3600, dc: 'us-sjc1', country: 'US', ip: '10.1.2.3' },
  { session: 'documentation', at: 4200, dc: 'us-sjc1', country: 'US', ip: '198.51.100.9' },
  { session: 'invalid', at: 4800, dc: 'eu-ams1', country: 'FR', ip: 'not-an-ip' },
  { session: 'not-listed', at: 5400, dc: 'eu-ams1', country: 'FR', ip: '3.3.3.3' },
  // No declared country: the address places it (JP -> region JP-HK), and no mismatch is possible.
  { session: 'ip-only', at: 6000, dc: 'jp-nrt9', ip: '5.0.0.5' },
  { session: 'no-address', at: 6600, dc: 'us-sjc1', country: 'US' },
];

describe('country-mismatch', () => {
  it('finds sessions whose declared country differs from their first address, and the declared one decides the region', async () => {
    const report = await audit(sessions, { geo: geo() });
    expect(sessionsOf(report, 'country-mismatch')).toEqual(['ipv6', 'later-ip', 'vpn', 'vpn-2']);

    const vpn = findingOf(report, 'country-mismatch', 'vpn');
    expect(vpn).toMatchObject({
      severity: 'low',
      status: 'active',
      incidentId: null,
      clientCountry: 'DE',
      countrySource: 'declared',
      clientRegion: 'EU',
      datacenter: 'eu-ams1',
      datacenterRegion: 'EU',
      detail: 'declared client_country DE, but client_ip 1.0.0.7 is in US by the geo database; the declared country decides the client region (EU)',
    });
    // The datacenter and evidence are the session's first attempt, whatever it was.
    const vpn2 = findingOf(report, 'country-mismatch', 'vpn-2');
    expect([vpn2.datacenter, vpn2.evidence.line, vpn2.evidence.outcome]).toEqual(['us-sjc1', 3, 'timeout']);
    expect(findingOf(report, 'country-mismatch', 'ipv6').detail).toContain('is in FR');

    // Summarised per pair of countries, never grouped into incidents.
    expect(report.countryMismatches).toEqual([
      { rule: 'country-mismatch', severity: 'low', declared: 'DE', resolved: 'US', sessions: 3 },
      { rule: 'country-mismatch', severity: 'low', declared: 'DE', resolved: 'FR', sessions: 1 },
    ]);
    expect(report.verdict.countryMismatches).toBe(4);
    expect(report.incidents.filter((incident) => incident.rule === 'country-mismatch')).toEqual([]);
  });

  it('places a session without a declared country by its address, and counts every outcome of the lookup', async () => {
    const report = await audit(sessions, { geo: geo() });
    const ipOnly = findingOf(report, 'unknown-datacenter', 'ip-only');
    expect([ipOnly.clientCountry, ipOnly.countrySource, ipOnly.clientRegion]).toEqual(['JP', 'ip', 'JP-HK']);
    expect(report.coverage.find((c) => c.clientRegion === 'JP-HK')).toMatchObject({ sessions: 1, countryFromIp: 1, ipWithoutCountry: 0 });
    expect(report.coverage.find((c) => c.clientRegion === 'US')).toMatchObject({ sessions: 4, countryFromIp: 0, ipWithoutCountry: 2 });
    expect(report.coverage.find((c) => c.clientRegion === 'EU')).toMatchObject({ sessions: 7, countryFromIp: 0, ipWithoutCountry: 2 });
    expect(report.ipResolution).toEqual([
      { status: 'resolved', sessions: 7, addresses: 7 },
      { status: 'documentation', sessions: 1, addresses: 1 },
      { status: 'private', sessions: 1, addresses: 1 },
      { status: 'invalid', sessions: 1, addresses: 1 },
      { status: 'not-in-database', sessions: 1, addresses: 1 },
      { status: 'no-address', sessions: 1, addresses: 0 },
    ]);
    expect(report.run.geo).toMatchObject({ source: expect.stringContaining('ranges.csv'), version: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
  });

  it('is suppressible like any session rule, and a suppressed finding leaves the summary', async () => {
    const policy = examplePolicy();
    policy.suppressions.push({
      index: 1,
      rule: 'country-mismatch',
      account: null,
      datacenter: 'us-sjc1',
      clientRegion: 'EU',
      until: '2030-01-01T00:00:00.000Z',
      reason: 'travel desk VPN',
    });
    const report = await audit(sessions, { geo: geo(), policy });
    expect(sessionsOf(report, 'country-mismatch', 'suppressed')).toEqual(['vpn-2']);
    expect(report.countryMismatches).toEqual([
      { rule: 'country-mismatch', severity: 'low', declared: 'DE', resolved: 'US', sessions: 2 },
      { rule: 'country-mismatch', severity: 'low', declared: 'DE', resolved: 'FR', sessions: 1 },
    ]);
  });

  it('counts only sessions that start in the window', async () => {
    const report = await audit(sessions, { geo: geo(), window: { since: '2020-04-01T08:15:00Z', until: '2020-04-01T09:00:00Z' } });
    expect(sessionsOf(report, 'country-mismatch')).toEqual(['ipv6', 'later-ip']);
  });

  it('finds nothing and places nobody by address without a geo database (--no-geo)', async () => {
    const report = await audit(sessions, { geo: null });
    expect(sessionsOf(report, 'country-mismatch')).toEqual([]);
    expect(findingOf(report, 'unknown-datacenter', 'ip-only').clientRegion).toBe('unknown');
    expect(report.run.geo).toBeNull();
    expect(report.ipResolution.map((r) => [r.status, r.sessions])).toEqual([
      ['documentation', 1],
      ['private', 1],
      ['invalid', 1],
      ['not-looked-up', 8],
      ['no-address', 1],
    ]);
  });
});
