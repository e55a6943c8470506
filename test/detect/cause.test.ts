import { expect, it } from 'vitest';
import { audit } from './audit-helpers.js';
import { examplePolicy } from './fixture-policy.js';

it('explains a geofence incident by the whitelist entry that lists the datacenter for the clients\' region', async () => {
  const report = await audit([{ session: 'us', at: 0, dc: 'cn-pek1', country: 'US' }]);
  const incident = report.incidents.find((i) => i.rule === 'geofence')!;
  const whitelist = report.policyFindings.find((p) => p.rule === 'whitelist')!;
  expect(incident.causeFindingIds).toEqual([whitelist.id]);
  expect(incident.cause).toBe(`cn-pek1 is on the US secondary list (whitelist finding ${whitelist.id}).`);
  expect(incident.action).toMatch(/^Remove cn-pek1 from routing\.US\.secondary\[2\]/);
});

it("points at another region's whitelist entry when the clients followed that region's lists", async () => {
  const report = await audit([{ session: 'ca', at: 0, dc: 'cn-pek1', country: 'CA' }]);
  const incident = report.incidents.find((i) => i.rule === 'geofence')!;
  const whitelist = report.policyFindings.find((p) => p.rule === 'whitelist')!;
  expect(incident.causeFindingIds).toEqual([whitelist.id]);
  expect(incident.cause).toContain(`cn-pek1 is on neither CA routing list, but is on routing.US.secondary[2] (whitelist finding ${whitelist.id})`);
});

it('links an account-routing incident to the expired suppression that used to cover it, and offers no exception for a fenced datacenter', async () => {
  const policy = examplePolicy({
    suppressions: [{ index: 0, rule: 'account-routing', account: 'acme', datacenter: 'eu-ams1', clientRegion: null, until: '2020-03-01T00:00:00.000Z', reason: 'trade fair' }],
  });
  const report = await audit(
    [
      { session: 'eu', at: 0, dc: 'eu-ams1', country: 'US', account: 'acme' },
      { session: 'cn', at: 0, dc: 'cn-pek1', country: 'US', account: 'acme' },
    ],
    { policy },
  );
  const toEu = report.incidents.find((i) => i.rule === 'account-routing' && i.datacenterRegion === 'EU')!;
  expect(toEu.causeFindingIds).toEqual(['S-0']);
  expect(toEu.cause).toContain('suppressions[0] ("trade fair"), expired on 2020-03-01');
  expect(toEu.action).toContain('record an approved exception');
  const toCn = report.incidents.find((i) => i.rule === 'account-routing' && i.datacenterRegion === 'CN')!;
  expect(toCn.action).not.toContain('exception');
});
