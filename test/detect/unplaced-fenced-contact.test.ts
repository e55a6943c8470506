import { expect, it } from 'vitest';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';
import { examplePolicy } from './fixture-policy.js';

// The rule applies under fences that leave unplaced clients to review (the default, violation, makes them geofence findings: fail-closed.test.ts).
const policy = examplePolicy({ fences: [{ id: 'china', datacenterRegions: ['CN'], clientRegions: ['CN'], unplacedClients: 'review' }] });

it('lists sessions of unknown and unmapped client regions that touched a fenced region, and only those', async () => {
  const report = await audit([
    // No country at all: client region unknown.
    { session: 'unknown-connected', at: 0, dc: 'us-sjc1', outcome: 'timeout' },
    { session: 'unknown-connected', at: 6, dc: 'cn-pek1', traffic: 'key_exchange' },
    { session: 'unknown-refused', at: 0, dc: 'cn-aws1', outcome: 'refused' },
    { session: 'unknown-refused', at: 1, dc: 'us-iad1' },
    { session: 'unknown-elsewhere', at: 0, dc: 'us-sjc1' },
    // ZA is in no region of the policy: client region unmapped.
    { session: 'unmapped-connected', at: 0, dc: 'cn-aws1', country: 'ZA' },
    // Placed clients: geofence (US) and allowed (CN), not this rule.
    { session: 'us-client', at: 0, dc: 'cn-pek1', country: 'US' },
    { session: 'cn-client', at: 0, dc: 'cn-pek1', country: 'CN' },
    // An unknown-region session on a datacenter missing from the catalog: its region cannot be fenced.
    { session: 'unknown-uncatalogued', at: 0, dc: 'cn-xyz9' },
  ], { policy });
  expect(sessionsOf(report, 'unplaced-fenced-contact')).toEqual(['unknown-connected', 'unknown-refused', 'unmapped-connected']);
  expect(sessionsOf(report, 'geofence')).toEqual(['us-client']);

  const connected = findingOf(report, 'unplaced-fenced-contact', 'unknown-connected');
  expect(connected.severity).toBe('medium');
  expect(connected.clientRegion).toBe('unknown');
  expect(connected.datacenter).toBe('cn-pek1');
  expect(connected.evidence.outcome).toBe('connected');
  expect(connected.detail).toContain('connected to cn-pek1 in fenced region CN; client region unknown');
  expect(connected.detail).toContain('keys were exchanged with a fenced datacenter');

  const refused = findingOf(report, 'unplaced-fenced-contact', 'unknown-refused');
  expect(refused.evidence.outcome).toBe('refused');
  expect(refused.detail).toContain('attempted (outcome refused) cn-aws1');
  expect(refused.detail).not.toContain('keys');
  expect(findingOf(report, 'unplaced-fenced-contact', 'unmapped-connected').clientRegion).toBe('unmapped');

  const incidents = report.incidents.filter((i) => i.rule === 'unplaced-fenced-contact');
  expect(incidents.map((i) => [i.clientRegion, i.datacenterRegion, i.sessionCount]).sort()).toEqual([
    ['unknown', 'CN', 2],
    ['unmapped', 'CN', 1],
  ]);
  expect(incidents.find((i) => i.clientRegion === 'unknown')?.title).toBe('Sessions of unplaced clients reached fenced CN datacenters');
});

it('prefers a connected attempt as evidence over an earlier failed one', async () => {
  const report = await audit([
    { session: 's', at: 0, dc: 'cn-aws1', outcome: 'timeout' },
    { session: 's', at: 6, dc: 'cn-pek1' },
  ], { policy });
  const finding = findingOf(report, 'unplaced-fenced-contact', 's');
  expect([finding.datacenter, finding.evidence.outcome]).toEqual(['cn-pek1', 'connected']);
});
