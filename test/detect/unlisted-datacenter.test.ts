import { expect, it } from 'vitest';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';

it('finds sessions connected to a catalog datacenter on neither of their region\'s lists', async () => {
  const report = await audit([
    { session: 'ca-to-eu', at: 0, dc: 'eu-ams1', country: 'CA' },
    { session: 'ca-to-us-secondary', at: 0, dc: 'us-iad1', country: 'CA' },
    { session: 'ca-to-sjc', at: 0, dc: 'us-sjc1', country: 'CA' },
    { session: 'us-to-eu-secondary', at: 0, dc: 'eu-ams1', country: 'US' },
    { session: 'jp-no-routing', at: 0, dc: 'eu-ams1', country: 'JP' },
    { session: 'ca-unknown-dc', at: 0, dc: 'zz-1', country: 'CA' },
    { session: 'ca-eu-timeout', at: 0, dc: 'eu-ams1', outcome: 'timeout', country: 'CA' },
  ]);
  expect(sessionsOf(report, 'unlisted-datacenter')).toEqual(['ca-to-eu', 'ca-to-sjc']);
  expect(findingOf(report, 'unlisted-datacenter', 'ca-to-eu').datacenterRegion).toBe('EU');
});
