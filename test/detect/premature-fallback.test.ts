import { expect, it } from 'vitest';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';

it('finds secondary attempts begun before the primary timeout, with the exact boundary', async () => {
  const report = await audit([
    { session: 'early', at: 0, dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
    { session: 'early', at: 1, dc: 'ca-yyz1', country: 'US' },
    { session: 'just-under', at: 0, dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
    { session: 'just-under', at: 5.499, dc: 'ca-yyz1', country: 'US' },
    { session: 'exactly-at-timeout', at: 0, dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
    { session: 'exactly-at-timeout', at: 5.5, dc: 'ca-yyz1', country: 'US' },
    { session: 'after-timeout', at: 0, dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
    { session: 'after-timeout', at: 6, dc: 'ca-yyz1', country: 'US' },
    { session: 'primaries-refused', at: 0, dc: 'us-sjc1', outcome: 'refused', country: 'US' },
    { session: 'primaries-refused', at: 0.2, dc: 'us-iad1', outcome: 'error', country: 'US' },
    { session: 'primaries-refused', at: 0.4, dc: 'ca-yyz1', country: 'US' },
    { session: 'one-primary-waited', at: 0, dc: 'us-sjc1', outcome: 'refused', country: 'US' },
    { session: 'one-primary-waited', at: 0.2, dc: 'us-iad1', outcome: 'timeout', country: 'US' },
    { session: 'one-primary-waited', at: 0.4, dc: 'ca-yyz1', country: 'US' },
    { session: 'secondary-first', at: 0, dc: 'eu-ams1', country: 'US' },
    { session: 'logged-tier-wins', at: 0, dc: 'us-sjc1', outcome: 'timeout', country: 'US', tier: 'primary' },
    { session: 'logged-tier-wins', at: 1, dc: 'us-iad1', country: 'US', tier: 'secondary' },
  ]);
  expect(sessionsOf(report, 'premature-fallback')).toEqual(['early', 'just-under', 'logged-tier-wins', 'one-primary-waited', 'secondary-first']);
  expect(findingOf(report, 'premature-fallback', 'early').detail).toBe('tried secondary ca-yyz1 1000 ms after the first primary attempt (timeout 5500 ms)');
  expect(findingOf(report, 'premature-fallback', 'secondary-first').detail).toBe('tried secondary eu-ams1 before any primary datacenter');
  expect(findingOf(report, 'premature-fallback', 'logged-tier-wins').datacenter).toBe('us-iad1');
  expect(findingOf(report, 'premature-fallback', 'early').severity).toBe('low');
});
