import { expect, it } from 'vitest';
import { examplePolicy } from './fixture-policy.js';
import { audit } from './audit-helpers.js';

it('finds fenced datacenters on the routing lists of regions outside the fence, from the policy alone', async () => {
  const base = examplePolicy();
  const policy = examplePolicy({
    routing: { ...base.routing, 'JP-HK': { primary: ['cn-aws1'], secondary: [] } },
  });
  const report = await audit([], { policy });
  const whitelist = report.policyFindings.filter((p) => p.rule === 'whitelist');
  expect(whitelist.map((p) => [p.path, p.datacenter, p.clientRegion, p.severity])).toEqual([
    ['routing.JP-HK.primary[0]', 'cn-aws1', 'JP-HK', 'critical'],
    ['routing.US.secondary[2]', 'cn-pek1', 'US', 'critical'],
  ]);
  expect(whitelist[1]!.message).toBe('cn-pek1 (CN) is on the US secondary list, but fence "china" admits only CN clients to CN datacenters');
  expect(whitelist.every((p) => /^W-[0-9a-f]{10}$/.test(p.id))).toBe(true);
});

it('gives a whitelist finding the same id in every run', async () => {
  const first = await audit([]);
  const second = await audit([{ session: 's', at: 0, dc: 'us-sjc1', country: 'US' }]);
  expect(first.policyFindings.map((p) => p.id)).toEqual(second.policyFindings.map((p) => p.id));
});
