import type { LoadedPolicy, Policy } from '../../src/policy/types.js';

/** The example policy, as the loader produces it; detections tests build on it. */
export function examplePolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    version: 1,
    regions: { US: ['US'], CA: ['CA'], EU: ['DE', 'FR', 'NL', 'IE', 'GB', 'SE'], CN: ['CN'], 'JP-HK': ['JP', 'HK'] },
    datacenters: [
      { id: 'us-sjc1', country: 'US', operator: 'Equinix', region: 'US', names: [], networks: [] },
      { id: 'us-iad1', country: 'US', operator: 'Equinix', region: 'US', names: [], networks: [] },
      { id: 'ca-yyz1', country: 'CA', operator: 'Cologix', region: 'CA', names: [], networks: [] },
      { id: 'eu-ams1', country: 'NL', operator: 'Equinix', region: 'EU', names: [], networks: [] },
      { id: 'cn-pek1', country: 'CN', operator: 'Telstra', region: 'CN', names: [], networks: [] },
      { id: 'cn-aws1', country: 'CN', operator: 'AWS', region: 'CN', names: [], networks: [] },
    ],
    routing: {
      US: { primary: ['us-sjc1', 'us-iad1'], secondary: ['ca-yyz1', 'eu-ams1', 'cn-pek1'] },
      CA: { primary: ['ca-yyz1'], secondary: ['us-iad1'] },
      CN: { primary: ['cn-pek1', 'cn-aws1'], secondary: [] },
    },
    clientNetworks: [],
    fences: [{ id: 'china', datacenterRegions: ['CN'], clientRegions: ['CN'], unplacedClients: 'violation' }],
    accounts: [{ id: 'acme', homeRegion: 'US', allowedRegions: ['US', 'CA'] }],
    fallback: { primaryTimeoutMs: 5500, maxRate: 0.05, windowMs: 3_600_000, minSessions: 20 },
    incidentGapMs: 30 * 60_000,
    quietPeriodMs: 7 * 86_400_000,
    suppressions: [
      { index: 0, rule: 'account-routing', account: 'acme', datacenter: 'eu-ams1', clientRegion: null, until: '2030-01-01T00:00:00.000Z', reason: 'approved exception SEC-1' },
    ],
    ...overrides,
  };
}

export function loaded(policy: Policy = examplePolicy()): LoadedPolicy {
  return { policy, file: 'policy.yaml', sha256: 'f'.repeat(64) };
}
