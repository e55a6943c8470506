import { expect, it } from 'vitest';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';

it('finds sessions that attempted a dc_id missing from the catalog, whatever the outcome', async () => {
  const report = await audit([
    { session: 'timeout-unknown', at: 0, dc: 'xx-ghost1', outcome: 'timeout', country: 'US' },
    { session: 'timeout-unknown', at: 6, dc: 'us-sjc1', country: 'US' },
    { session: 'connected-unknown', at: 0, dc: 'xx-ghost2' },
    { session: 'all-known', at: 0, dc: 'us-sjc1', country: 'US' },
  ]);
  expect(sessionsOf(report, 'unknown-datacenter')).toEqual(['connected-unknown', 'timeout-unknown']);
  const finding = findingOf(report, 'unknown-datacenter', 'timeout-unknown');
  expect(finding.datacenter).toBe('xx-ghost1');
  expect(finding.datacenterRegion).toBe('unknown');
  expect(finding.severity).toBe('medium');
});
