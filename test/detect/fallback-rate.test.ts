import { expect, it } from 'vitest';
import type { FallbackWindow } from '../../src/detect/model.js';
import { audit, type Attempt } from './audit-helpers.js';

/** `count` sessions starting in the hour at `hour`, `viaSecondary` of them connected through a secondary. */
function hour(region: 'US' | 'CA', hourIso: string, count: number, viaSecondary: number, neverConnected = 0): Attempt[] {
  const start = Date.parse(hourIso);
  const primary = region === 'US' ? 'us-sjc1' : 'ca-yyz1';
  const secondary = region === 'US' ? 'ca-yyz1' : 'us-iad1';
  const attempts: Attempt[] = [];
  for (let i = 0; i < count; i++) {
    const session = `${region}-${hourIso.slice(0, 13)}-${i}`;
    const at = start + i * 60_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    if (i < neverConnected) {
      attempts.push({ session, at: iso(at), dc: primary, outcome: 'timeout', country: region });
    } else if (i < neverConnected + viaSecondary) {
      attempts.push({ session, at: iso(at), dc: primary, outcome: 'timeout', country: region });
      attempts.push({ session, at: iso(at + 5600), dc: secondary, country: region });
    } else {
      attempts.push({ session, at: iso(at), dc: primary, country: region });
    }
  }
  return attempts;
}

const pick = (w: FallbackWindow) => [w.clientRegion, w.windowStart.slice(11, 16), w.sessions, w.connected, w.viaSecondary, w.neverConnected, w.flags];

it('measures the secondary share per region and UTC hour, flags over max_rate and far above the trailing baseline', async () => {
  const report = await audit(
    [
      ...hour('US', '2020-03-31T10:00:00Z', 50, 1),
      ...hour('US', '2020-03-31T11:00:00Z', 50, 1),
      ...hour('US', '2020-04-01T10:00:00Z', 25, 1),
      ...hour('US', '2020-04-01T11:00:00Z', 25, 10),
      ...hour('US', '2020-04-01T12:00:00Z', 10, 10),
      ...hour('US', '2020-04-01T13:00:00Z', 30, 0, 8),
      ...hour('US', '2020-04-01T14:00:00Z', 25, 3),
      ...hour('CA', '2020-04-01T11:00:00Z', 20, 20),
    ],
    { window: { since: '2020-04-01T00:00:00.000Z', until: '2020-04-02T00:00:00.000Z' } },
  );
  expect(report.fallbackWindows.map(pick)).toEqual([
    ['CA', '11:00', 20, 20, 20, 0, ['max-rate']],
    ['US', '10:00', 25, 25, 1, 0, []],
    ['US', '11:00', 25, 25, 10, 0, ['max-rate', 'baseline']],
    ['US', '12:00', 10, 10, 10, 0, []],
    ['US', '13:00', 30, 22, 0, 8, []],
    ['US', '14:00', 25, 25, 3, 0, ['max-rate']],
  ]);
  const us11 = report.fallbackWindows[2]!;
  expect(us11.rate).toBeCloseTo(0.4, 10);
  expect(us11.baselineRate).toBeCloseTo(3 / 125, 10);
  expect(report.fallbackWindows[0]!.baselineRate).toBeNull();
  expect(report.fallbackWindows[4]!.failureRate).toBeCloseTo(8 / 30, 10);
  // The 11:00 surge (over max_rate) stays out of the later baseline; the unrated 12:00 window counts.
  expect(report.fallbackWindows[5]!.baselineRate).toBeCloseTo(13 / 157, 10);
  expect(report.verdict.flaggedFallbackWindows).toBe(3);
  expect(report.coverage.map((c) => [c.clientRegion, c.sessions, c.neverConnected])).toEqual([
    ['CA', 20, 0],
    ['US', 115, 8],
  ]);
});

it('reports a flagged window covered by a fallback-rate suppression as suppressed', async () => {
  const { examplePolicy } = await import('./fixture-policy.js');
  const policy = examplePolicy({
    suppressions: [{ index: 0, rule: 'fallback-rate', account: null, datacenter: null, clientRegion: 'CA', until: '2030-01-01T00:00:00.000Z', reason: 'CA failover drill' }],
  });
  const report = await audit(hour('CA', '2020-04-01T11:00:00Z', 20, 20), { policy });
  expect(report.fallbackWindows[0]!.flags).toEqual(['max-rate']);
  expect(report.fallbackWindows[0]!.suppression).toEqual({ index: 0, reason: 'CA failover drill', until: '2030-01-01T00:00:00.000Z' });
  expect(report.verdict.flaggedFallbackWindows).toBe(0);
});

// The lookback's sessions come with their facts only (no attempts): each counts by its last
// connected attempt in time order (ties by line), with its logged tier before the routing list's.
it("counts a lookback session's fallback by its last connected attempt, as the window's own sessions count", async () => {
  const t = (clock: string) => `2020-03-31T${clock}Z`;
  const lookback: Attempt[] = [
    { session: 'lb-fallback', at: t('10:00:00'), dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
    { session: 'lb-fallback', at: t('10:00:06'), dc: 'ca-yyz1', country: 'US' },
    { session: 'lb-back-to-primary', at: t('10:01:00'), dc: 'ca-yyz1', country: 'US' },
    { session: 'lb-back-to-primary', at: t('10:01:30'), dc: 'us-sjc1', country: 'US' },
    { session: 'lb-logged-secondary', at: t('10:02:00'), dc: 'us-sjc1', tier: 'secondary', country: 'US' },
    { session: 'lb-tie-primary-last', at: t('10:03:00'), dc: 'ca-yyz1', country: 'US' },
    { session: 'lb-tie-primary-last', at: t('10:03:00'), dc: 'us-sjc1', country: 'US' },
    { session: 'lb-tie-secondary-last', at: t('10:04:00'), dc: 'us-sjc1', country: 'US' },
    { session: 'lb-tie-secondary-last', at: t('10:04:00'), dc: 'ca-yyz1', country: 'US' },
    { session: 'lb-unlisted', at: t('10:05:00'), dc: 'zz-lab1', country: 'US' },
    { session: 'lb-secondary-then-timeout', at: t('10:06:00'), dc: 'ca-yyz1', country: 'US' },
    { session: 'lb-secondary-then-timeout', at: t('10:06:30'), dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
    { session: 'lb-never', at: t('10:07:00'), dc: 'us-sjc1', outcome: 'timeout', country: 'US' },
    // The last connected attempt logs no tier: us-sjc1 is primary on the US list.
    { session: 'lb-logged-then-unlogged', at: t('10:08:00'), dc: 'us-sjc1', tier: 'secondary', country: 'US' },
    { session: 'lb-logged-then-unlogged', at: t('10:08:30'), dc: 'us-sjc1', country: 'US' },
  ];
  const logs = [...hour('US', '2020-03-31T09:00:00Z', 20, 0), ...lookback, ...hour('US', '2020-04-01T10:00:00Z', 25, 1)];
  // Via secondary: lb-fallback, lb-logged-secondary, lb-tie-secondary-last, lb-secondary-then-timeout.
  const whole = await audit(logs);
  expect(whole.fallbackWindows.map(pick).slice(0, 2)).toEqual([
    ['US', '09:00', 20, 20, 0, 0, []],
    ['US', '10:00', 9, 8, 4, 1, []],
  ]);
  const day = await audit(logs, { window: { since: '2020-04-01T00:00:00.000Z', until: '2020-04-02T00:00:00.000Z' } });
  expect(day.fallbackWindows.map(pick)).toEqual([['US', '10:00', 25, 25, 1, 0, []]]);
  expect(day.fallbackWindows[0]!.baselineRate).toBeCloseTo(4 / 28, 10);
});
