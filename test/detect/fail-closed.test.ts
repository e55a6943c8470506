import { describe, expect, it } from 'vitest';
import { fileGeoSource } from '../../src/geo/source.js';
import { tempDir, writeFile } from '../helpers.js';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';
import { examplePolicy } from './fixture-policy.js';

/** A geo database that places 1.0.0.0/24 in the US; 10.0.0.0/8 is private whatever a database says. */
function geo() {
  const dir = tempDir();
  return fileGeoSource([writeFile(dir, 'ranges.csv', 'first,last,country\n1.0.0.0,1.0.0.255,US\n10.0.0.0,10.255.255.255,US\n')], dir);
}

// Three clients that no region places, each connecting to the fenced cn-pek1, and one placed US client.
const unplacedConnections = [
  { session: 'private-address', at: 0, dc: 'cn-pek1', ip: '10.1.2.3' },
  { session: 'unlisted-country', at: 60, dc: 'cn-pek1', country: 'ZA', traffic: 'key_exchange' },
  { session: 'no-country', at: 120, dc: 'cn-aws1' },
  { session: 'us-placed', at: 180, dc: 'cn-pek1', ip: '1.0.0.7' },
  // Attempted a fenced datacenter, never connected to one: the lower rule.
  { session: 'no-country-attempt', at: 240, dc: 'cn-pek1', outcome: 'timeout' as const },
  { session: 'no-country-attempt', at: 246, dc: 'us-sjc1' },
  // Unplaced, but never near a fenced region: no finding.
  { session: 'no-country-elsewhere', at: 300, dc: 'us-sjc1' },
];

describe('fail-closed placement (unplaced_clients: violation, the default)', () => {
  it('makes a private address, a country no region lists and a missing country, each connecting to a fenced datacenter, geofence findings', async () => {
    const report = await audit(unplacedConnections, { geo: geo() });
    expect(sessionsOf(report, 'geofence')).toEqual(['no-country', 'private-address', 'unlisted-country', 'us-placed']);
    expect(sessionsOf(report, 'geofence-contact')).toEqual(['no-country-attempt']);
    expect(sessionsOf(report, 'unplaced-fenced-contact')).toEqual([]);

    const privateAddress = findingOf(report, 'geofence', 'private-address');
    expect([privateAddress.clientRegion, privateAddress.severity, privateAddress.datacenter]).toEqual(['unknown', 'high', 'cn-pek1']);
    expect(privateAddress.detail).toBe(
      'connected to cn-pek1 in CN, which fence "china" closes to clients it cannot place (client region unknown: no client_country, and no country from client_ip)',
    );
    const unlisted = findingOf(report, 'geofence', 'unlisted-country');
    expect([unlisted.clientRegion, unlisted.severity]).toEqual(['unmapped', 'critical']);
    expect(unlisted.detail).toContain('client region unmapped');
    expect(findingOf(report, 'geofence', 'no-country').clientRegion).toBe('unknown');
    expect(findingOf(report, 'geofence-contact', 'no-country-attempt').severity).toBe('medium');
  });

  it('groups the unplaced sessions into geofence incidents by their client region', async () => {
    const report = await audit(unplacedConnections, { geo: geo() });
    const geofence = report.incidents.filter((i) => i.rule === 'geofence');
    expect(geofence.map((i) => [i.clientRegion, i.datacenterRegion, i.severity, i.sessionIds]).sort()).toEqual([
      ['US', 'CN', 'high', ['us-placed']],
      ['unknown', 'CN', 'high', ['no-country', 'private-address']],
      ['unmapped', 'CN', 'critical', ['unlisted-country']],
    ]);
    const unknown = geofence.find((i) => i.clientRegion === 'unknown');
    expect(unknown?.title).toBe('Sessions with no known client country connected to fenced CN datacenters');
  });
});

describe('unplaced_clients: review', () => {
  it('restores the lower-severity unplaced-fenced-contact rule for the fence, and only for unplaced clients', async () => {
    const policy = examplePolicy({ fences: [{ id: 'china', datacenterRegions: ['CN'], clientRegions: ['CN'], unplacedClients: 'review' }] });
    const report = await audit(unplacedConnections, { geo: geo(), policy });
    expect(sessionsOf(report, 'geofence')).toEqual(['us-placed']);
    expect(sessionsOf(report, 'geofence-contact')).toEqual([]);
    expect(sessionsOf(report, 'unplaced-fenced-contact')).toEqual(['no-country', 'no-country-attempt', 'private-address', 'unlisted-country']);
    expect(report.findings.filter((f) => f.rule === 'unplaced-fenced-contact').map((f) => f.severity)).toEqual(['medium', 'medium', 'medium', 'medium']);
  });

  it('judges by each fence: a violation fence over the same datacenter region still makes a geofence finding', async () => {
    const policy = examplePolicy({
      fences: [
        { id: 'china', datacenterRegions: ['CN'], clientRegions: ['CN'], unplacedClients: 'review' },
        { id: 'china-strict', datacenterRegions: ['CN'], clientRegions: ['CN'], unplacedClients: 'violation' },
      ],
    });
    const report = await audit(unplacedConnections, { geo: geo(), policy });
    expect(sessionsOf(report, 'geofence')).toEqual(['no-country', 'private-address', 'unlisted-country', 'us-placed']);
    expect(findingOf(report, 'geofence', 'no-country').detail).toContain('fence "china-strict"');
    expect(sessionsOf(report, 'unplaced-fenced-contact')).toEqual([]);
  });
});
