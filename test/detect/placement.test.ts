import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/detect/model.js';
import { fileGeoSource } from '../../src/geo/source.js';
import { parseNetwork, type Network } from '../../src/policy/network.js';
import { tempDir, writeFile } from '../helpers.js';
import { audit, findingOf, sessionsOf, type Attempt } from './audit-helpers.js';
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

describe('datacenters placed by address: catalog networks, else the geo database', () => {
  /** A test geo database (docs/geo.md, the --geo format): addresses in CN, a country no region lists (BR), and IPv6 in CN. */
  const geo = () => {
    const dir = tempDir();
    const ranges = ['first,last,country', '1.1.0.0,1.1.255.255,CN', '2.0.0.0,2.0.0.255,BR', '2a00:2::,2a00:2:ffff:ffff:ffff:ffff:ffff:ffff,CN', ''];
    return fileGeoSource([writeFile(dir, 'ranges.csv', ranges.join('\n'))], dir);
  };

  /** cn-pek1 holds 1.0.0.0/16 and an IPv6 /48; cn-aws1 the more specific 1.0.1.0/24 inside it; us-sjc1 a private office block. */
  function networkPolicy() {
    const networks: Record<string, string[]> = { 'cn-pek1': ['1.0.0.0/16', '2a00:1:1::/48'], 'cn-aws1': ['1.0.1.0/24'], 'us-sjc1': ['10.1.0.0/16'] };
    return examplePolicy({ datacenters: examplePolicy().datacenters.map((dc) => ({ ...dc, networks: (networks[dc.id] ?? []).map(block) })) });
  }

  // Flow logs know a datacenter only by its address: dc_id is the address text too. Every client is in the US unless said.
  const flow = (session: string, at: number, address: string, extra: Partial<Attempt> = {}): Attempt => ({ session, at, dc: address, dcIp: address, country: 'US', ...extra });
  const attempts: Attempt[] = [
    flow('by-network', 0, '1.0.0.9'),
    flow('most-specific', 60, '1.0.1.5'),
    { session: 'id-beats-network', at: 120, dc: 'us-sjc1', dcIp: '1.0.0.10', country: 'US' },
    flow('private-network', 180, '10.1.2.3'),
    flow('geo-cn', 240, '1.1.2.3', { traffic: 'key_exchange' }),
    flow('cn-client', 300, '1.1.2.4', { country: 'CN' }),
    flow('geo-unmapped', 360, '2.0.0.9'),
    flow('documentation', 420, '198.51.100.7'),
    flow('not-in-database', 480, '7.7.7.7'),
    flow('v6-network', 540, '2a00:1:1::5'),
    flow('v6-geo', 600, '2a00:2::7'),
    // A logged string no name matches, with an address: placed by the pair, so the same string without one stays unknown.
    { session: 'named', at: 660, dc: 'Hong Kong (HK)', dcIp: '1.1.9.9', country: 'US' },
    { session: 'named-no-address', at: 720, dc: 'Hong Kong (HK)', country: 'US' },
    // No whitelist entry explains this one: the server is in no catalog entry at all.
    flow('ca-geo', 780, '1.1.2.5', { country: 'CA' }),
  ];

  /** Each session's findings, by rule, in rule order. */
  function rulesBySession(report: AuditReport): Record<string, string[]> {
    const rules: Record<string, string[]> = Object.fromEntries(attempts.map((a) => [a.session, []]));
    for (const f of report.findings) rules[f.sessionId]!.push(f.rule);
    return Object.fromEntries(Object.entries(rules).map(([session, list]) => [session, list.sort()]));
  }

  it('places by id, else by the most specific catalog network, else by the geo country, IPv4 and IPv6', async () => {
    const report = await audit(attempts, { policy: networkPolicy(), geo: geo() });
    expect(rulesBySession(report)).toEqual({
      // cn-pek1 is on the US secondary list: no primary came first.
      'by-network': ['geofence', 'premature-fallback'],
      // cn-aws1's /24 beats cn-pek1's /16; cn-aws1 is on neither US list.
      'most-specific': ['geofence', 'unlisted-datacenter'],
      'id-beats-network': [],
      'private-network': [],
      'geo-cn': ['geofence', 'unknown-datacenter'],
      'cn-client': ['unknown-datacenter'],
      'geo-unmapped': ['unknown-datacenter'],
      documentation: ['unknown-datacenter'],
      'not-in-database': ['unknown-datacenter'],
      'v6-network': ['geofence', 'premature-fallback'],
      'v6-geo': ['geofence', 'unknown-datacenter'],
      named: ['geofence', 'unknown-datacenter'],
      'named-no-address': ['unknown-datacenter'],
      'ca-geo': ['geofence', 'unknown-datacenter'],
    });
    const where = (rule: string, session: string) => {
      const f = findingOf(report, rule, session);
      return [f.datacenter, f.datacenterRegion, f.evidence.loggedDatacenter, f.evidence.loggedAddress, f.evidence.placedBy];
    };
    expect(where('geofence', 'by-network')).toEqual(['cn-pek1', 'CN', '1.0.0.9', '1.0.0.9', 'network']);
    expect(where('geofence', 'most-specific')).toEqual(['cn-aws1', 'CN', '1.0.1.5', '1.0.1.5', 'network']);
    expect(where('geofence', 'v6-network')).toEqual(['cn-pek1', 'CN', '2a00:1:1::5', '2a00:1:1::5', 'network']);
    expect(where('geofence', 'geo-cn')).toEqual(['1.1.2.3', 'CN', '1.1.2.3', '1.1.2.3', 'geo']);
    expect(where('geofence', 'v6-geo')).toEqual(['2a00:2::7', 'CN', '2a00:2::7', '2a00:2::7', 'geo']);
    expect(where('unknown-datacenter', 'geo-unmapped')).toEqual(['2.0.0.9', 'unmapped', '2.0.0.9', '2.0.0.9', 'geo']);
    expect(where('unknown-datacenter', 'documentation')).toEqual(['198.51.100.7', 'unknown', '198.51.100.7', '198.51.100.7', null]);
    expect(where('unknown-datacenter', 'named')).toEqual(['Hong Kong (HK)', 'CN', 'Hong Kong (HK)', '1.1.9.9', 'geo']);
    expect(where('unknown-datacenter', 'named-no-address')).toEqual(['Hong Kong (HK)', 'unknown', 'Hong Kong (HK)', null, null]);

    // Fenced through the region of its geo country, critical with key exchange, though nobody listed the server.
    const geoCn = findingOf(report, 'geofence', 'geo-cn');
    expect([geoCn.severity, geoCn.detail]).toEqual([
      'critical',
      'connected to 1.1.2.3 in CN, which fence "china" closes to US clients; keys were exchanged with a fenced datacenter',
    ]);
    const detail = (session: string) => findingOf(report, 'unknown-datacenter', session).detail;
    expect(detail('geo-cn')).toBe('attempted 1.1.2.3 (outcome connected), which is not in the datacenter catalog; its address is in CN by the geo database');
    expect(detail('named')).toBe(
      'attempted Hong Kong (HK) (outcome connected), which is not in the datacenter catalog; its address 1.1.9.9 is in CN by the geo database',
    );
    expect(detail('geo-unmapped')).toBe('attempted 2.0.0.9 (outcome connected), which is not in the datacenter catalog; its address is in BR by the geo database');
    expect(detail('documentation')).toBe(
      'attempted 198.51.100.7 (outcome connected), which is not in the datacenter catalog; its address gives no country (geo lookup: documentation)',
    );
    expect(detail('not-in-database')).toContain('; its address gives no country (geo lookup: not-in-database)');
    expect(detail('named-no-address')).toBe('attempted Hong Kong (HK) (outcome connected), which is not in the datacenter catalog');

    // One geofence incident over CN, whatever placed each datacenter; the cause says which are outside the catalog.
    const incident = report.incidents.find((i) => i.rule === 'geofence');
    expect(incident?.datacenters.map((d) => [d.id, d.country, d.placedBy, d.sessions])).toEqual([
      ['cn-pek1', 'CN', ['network'], 2],
      ['1.1.2.3', 'CN', ['geo'], 1],
      ['2a00:2::7', 'CN', ['geo'], 1],
      ['Hong Kong (HK)', 'CN', ['geo'], 1],
      ['cn-aws1', 'CN', ['network'], 1],
    ]);
    expect(incident?.cause).toBe(
      'cn-pek1 is on the US secondary list (whitelist finding ' +
        report.policyFindings.find((p) => p.datacenter === 'cn-pek1' && p.clientRegion === 'US')?.id +
        ').' +
        ' By the geo database of their addresses, 1.1.2.3 is in CN, 2a00:2::7 is in CN and Hong Kong (HK) is in CN (region CN).',
    );
    const ca = report.incidents.find((i) => i.rule === 'geofence' && i.clientRegion === 'CA');
    expect(ca?.cause).toBe('1.1.2.5 is not in the datacenter catalog, so no routing list offers it. By the geo database of its address, 1.1.2.5 is in CN (region CN).');
    expect(ca?.action).toMatch(
      /^Find out what 1\.1\.2\.5 is and how clients reached it: it is not in the datacenter catalog, so no routing list of the policy sends clients there\. Ask the operator of 1\.1\.2\.5 /,
    );
    const unknownCn = report.incidents.find((i) => i.rule === 'unknown-datacenter' && i.clientRegion === 'US' && i.datacenterRegion === 'CN');
    expect(unknownCn?.sessionIds).toEqual(['geo-cn', 'named', 'v6-geo']);
    expect(unknownCn?.title).toBe('US sessions attempted datacenters missing from the catalog (by address: region CN)');
    const unknownUnknown = report.incidents.find((i) => i.rule === 'unknown-datacenter' && i.clientRegion === 'US' && i.datacenterRegion === 'unknown');
    expect([unknownUnknown?.sessionIds, unknownUnknown?.title]).toEqual([
      ['documentation', 'named-no-address', 'not-in-database'],
      'US sessions attempted datacenters missing from the catalog',
    ]);
    expect(unknownCn?.cause).toBe(
      "1.1.2.3, 2a00:2::7 and Hong Kong (HK) are not in the policy's datacenter catalog, so no routing rule can vouch for them, and fences judge them " +
        'only by the country of their addresses. By the geo database of their addresses, 1.1.2.3 is in CN, 2a00:2::7 is in CN and Hong Kong (HK) is in CN (region CN).',
    );
    expect(report.coverage.find((c) => c.clientRegion === 'US')?.fencedRegionSessions).toBe(6);
  });

  it('places by catalog networks without a geo database; an address outside them then stays region unknown', async () => {
    const report = await audit(attempts, { policy: networkPolicy(), geo: null });
    expect(sessionsOf(report, 'geofence')).toEqual(['by-network', 'most-specific', 'v6-network']);
    const geoCn = findingOf(report, 'unknown-datacenter', 'geo-cn');
    expect([geoCn.datacenterRegion, geoCn.evidence.placedBy]).toEqual(['unknown', null]);
    expect(geoCn.detail).toBe('attempted 1.1.2.3 (outcome connected), which is not in the datacenter catalog; its address gives no country (geo lookup: not-looked-up)');
  });
});
