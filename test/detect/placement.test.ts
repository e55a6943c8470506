import { describe, expect, it } from 'vitest';
import { fileGeoSource } from '../../src/geo/source.js';
import { parseNetwork, type Network } from '../../src/policy/network.js';
import { tempDir, writeFile } from '../helpers.js';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';
import { examplePolicy } from './fixture-policy.js';

function block(text: string): Network {
  const network = parseNetwork(text);
  if (typeof network === 'string') throw new Error(network);
  return network;
}

/** The example catalog, with the display names a provider export uses for its China and US datacenters. */
function namedPolicy() {
  const policy = examplePolicy();
  return examplePolicy({
    datacenters: policy.datacenters.map((dc) =>
      dc.id === 'cn-pek1' ? { ...dc, names: ['China (BJ)', 'China*'] } : dc.id === 'us-sjc1' ? { ...dc, names: ['United States (SC Top)', 'United States*'] } : dc,
    ),
  });
}

describe('datacenters placed by the names logs use for them', () => {
  it('places a logged string by id, else an exact name, else the first wildcard name in catalog order', async () => {
    const report = await audit(
      [
        { session: 'by-id', at: 0, dc: 'cn-pek1', country: 'US' },
        { session: 'by-name', at: 60, dc: 'China (BJ)', country: 'US', traffic: 'key_exchange' },
        { session: 'by-pattern', at: 120, dc: 'China (SH)', country: 'US' },
        { session: 'us-by-pattern', at: 180, dc: 'United States (NY)', country: 'US' },
        // No id, name or pattern places it: uncatalogued, as before.
        { session: 'unnamed', at: 240, dc: 'Hong Kong (HK)', country: 'US' },
      ],
      { policy: namedPolicy() },
    );
    // A client outside the fence reaching a fenced datacenter known only by name is a geofence finding.
    expect(sessionsOf(report, 'geofence')).toEqual(['by-id', 'by-name', 'by-pattern']);
    const byName = findingOf(report, 'geofence', 'by-name');
    expect([byName.datacenter, byName.datacenterRegion, byName.severity]).toEqual(['cn-pek1', 'CN', 'critical']);
    expect([byName.evidence.loggedDatacenter, byName.evidence.placedBy]).toEqual(['China (BJ)', 'name']);
    expect(findingOf(report, 'geofence', 'by-id').evidence.placedBy).toBe('id');
    expect(findingOf(report, 'geofence', 'by-pattern').evidence.loggedDatacenter).toBe('China (SH)');
    // Placed at us-sjc1, a US primary: no finding at all.
    expect(report.findings.filter((f) => f.sessionId === 'us-by-pattern')).toEqual([]);
    const unnamed = findingOf(report, 'unknown-datacenter', 'unnamed');
    expect([unnamed.datacenter, unnamed.evidence.placedBy]).toEqual(['Hong Kong (HK)', null]);
    // One incident over the three, whatever name each line used.
    expect(report.incidents.find((i) => i.rule === 'geofence')?.datacenters.map((d) => d.id)).toEqual(['cn-pek1']);
  });

  it('reads a wildcard as text: % and _ in a logged string are not wildcards', async () => {
    const policy = examplePolicy({
      datacenters: examplePolicy().datacenters.map((dc) => (dc.id === 'cn-pek1' ? { ...dc, names: ['CN_1*'] } : dc)),
    });
    const report = await audit(
      [
        { session: 'literal', at: 0, dc: 'CN_1 east', country: 'US' },
        { session: 'underscore-is-not-any', at: 60, dc: 'CNx1 east', country: 'US' },
      ],
      { policy },
    );
    expect(sessionsOf(report, 'geofence')).toEqual(['literal']);
    expect(sessionsOf(report, 'unknown-datacenter')).toEqual(['underscore-is-not-any']);
  });
});

describe('clients placed by the policy client_networks', () => {
  const geo = () => {
    const dir = tempDir();
    return fileGeoSource([writeFile(dir, 'ranges.csv', 'first,last,country\n1.0.0.0,1.0.0.255,CN\n')], dir);
  };

  it('places a client by its declared country, else the most specific client network, else the geo database', async () => {
    const policy = examplePolicy({
      clientNetworks: [
        { network: block('10.0.0.0/8'), country: 'US' },
        { network: block('10.20.0.0/16'), country: 'CN' },
        { network: block('1.0.0.128/25'), country: 'DE' },
      ],
    });
    const report = await audit(
      [
        { session: 'office-us', at: 0, dc: 'cn-pek1', ip: '10.1.2.3' },
        { session: 'office-cn', at: 60, dc: 'cn-pek1', ip: '10.20.3.4' },
        { session: 'declared-wins', at: 120, dc: 'cn-pek1', ip: '10.1.2.4', country: 'CN' },
        { session: 'network-before-geo', at: 180, dc: 'cn-pek1', ip: '1.0.0.200' },
        { session: 'geo', at: 240, dc: 'cn-pek1', ip: '1.0.0.7' },
      ],
      { policy, geo: geo() },
    );
    expect(sessionsOf(report, 'geofence')).toEqual(['network-before-geo', 'office-us']);
    const office = findingOf(report, 'geofence', 'office-us');
    expect([office.clientCountry, office.countrySource, office.clientRegion]).toEqual(['US', 'network', 'US']);
    expect(findingOf(report, 'geofence', 'network-before-geo').clientRegion).toBe('EU');
  });
});
