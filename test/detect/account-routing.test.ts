import { describe, expect, it } from 'vitest';
import { examplePolicy } from './fixture-policy.js';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';

describe('account-routing', () => {
  it('finds sessions of a restricted account connected outside its home and allowed regions', async () => {
    const report = await audit([
      { session: 'acme-cn', at: 0, dc: 'cn-pek1', country: 'US', account: 'acme' },
      { session: 'acme-ca', at: 0, dc: 'ca-yyz1', country: 'US', account: 'acme' },
      { session: 'acme-us', at: 0, dc: 'us-iad1', country: 'US', account: 'acme' },
      { session: 'acme-unknown-dc', at: 0, dc: 'zz-9', country: 'US', account: 'acme' },
      { session: 'acme-eu-timeout', at: 0, dc: 'eu-ams1', outcome: 'timeout', country: 'US', account: 'acme' },
      { session: 'other-eu', at: 0, dc: 'eu-ams1', country: 'US', account: 'globex' },
      { session: 'no-account-eu', at: 0, dc: 'eu-ams1', country: 'US' },
    ]);
    expect(sessionsOf(report, 'account-routing')).toEqual(['acme-cn', 'acme-unknown-dc']);
    expect(findingOf(report, 'account-routing', 'acme-unknown-dc').datacenterRegion).toBe('unknown');
    expect(findingOf(report, 'account-routing', 'acme-cn').severity).toBe('high');
  });

  it('keeps suppressed findings as suppressed, and reports them active once the suppression expired', async () => {
    const policy = examplePolicy({
      suppressions: [
        { index: 0, rule: 'account-routing', account: 'acme', datacenter: 'eu-ams1', clientRegion: null, until: '2020-04-01T12:00:00.000Z', reason: 'SEC-1' },
      ],
    });
    const report = await audit(
      [
        { session: 'before-expiry', at: '2020-04-01T11:59:59Z', dc: 'eu-ams1', country: 'US', account: 'acme' },
        { session: 'at-expiry', at: '2020-04-01T12:00:00Z', dc: 'eu-ams1', country: 'US', account: 'acme' },
        { session: 'other-dc', at: '2020-04-01T11:00:00Z', dc: 'cn-pek1', country: 'US', account: 'acme' },
      ],
      { policy, now: '2020-04-05T00:00:00Z' },
    );
    expect(sessionsOf(report, 'account-routing', 'suppressed')).toEqual(['before-expiry']);
    expect(sessionsOf(report, 'account-routing', 'active')).toEqual(['at-expiry', 'other-dc']);
    expect(findingOf(report, 'account-routing', 'before-expiry').suppression).toEqual({ index: 0, reason: 'SEC-1', until: '2020-04-01T12:00:00.000Z' });
    expect(findingOf(report, 'account-routing', 'before-expiry').incidentId).toBeNull();
    expect(report.policyFindings.filter((p) => p.rule === 'expired-suppression').map((p) => [p.id, p.path])).toEqual([['S-0', 'suppressions[0]']]);
  });

  it('matches a suppression only when every matcher it gives matches', async () => {
    const policy = examplePolicy({
      suppressions: [
        { index: 0, rule: 'account-routing', account: 'acme', datacenter: null, clientRegion: 'CA', until: '2030-01-01T00:00:00.000Z', reason: 'CA pilot' },
      ],
    });
    const report = await audit(
      [
        { session: 'acme-from-ca', at: 0, dc: 'eu-ams1', country: 'CA', account: 'acme' },
        { session: 'acme-from-us', at: 0, dc: 'eu-ams1', country: 'US', account: 'acme' },
      ],
      { policy },
    );
    expect(sessionsOf(report, 'account-routing', 'suppressed')).toEqual(['acme-from-ca']);
    expect(sessionsOf(report, 'account-routing', 'active')).toEqual(['acme-from-us']);
    expect(report.policyFindings.filter((p) => p.rule === 'expired-suppression')).toEqual([]);
  });
});
