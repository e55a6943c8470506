import { expect, it } from 'vitest';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';

it('finds sessions that attempted a fenced datacenter but never connected to one', async () => {
  const report = await audit([
    { session: 'refused-only', at: 0, dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
    { session: 'refused-only', at: 6, dc: 'cn-pek1', outcome: 'refused', country: 'US' },
    { session: 'refused-only', at: 7, dc: 'ca-yyz1', country: 'US' },
    { session: 'timeout-then-connected', at: 0, dc: 'cn-pek1', outcome: 'timeout', country: 'US' },
    { session: 'timeout-then-connected', at: 6, dc: 'cn-aws1', country: 'US' },
    { session: 'cn-client', at: 0, dc: 'cn-pek1', outcome: 'refused', country: 'CN' },
    { session: 'never-near', at: 0, dc: 'us-sjc1', country: 'US' },
  ]);
  expect(sessionsOf(report, 'geofence-contact')).toEqual(['refused-only']);
  expect(sessionsOf(report, 'geofence')).toEqual(['timeout-then-connected']);
  const finding = findingOf(report, 'geofence-contact', 'refused-only');
  expect(finding.severity).toBe('medium');
  expect(finding.datacenter).toBe('cn-pek1');
  expect(finding.evidence.outcome).toBe('refused');
});
