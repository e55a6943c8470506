import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/policy/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['2w', 1_209_600_000],
    ['1w2d3h4m5s', 788_645_000],
    ['0m', 0],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '1', 'h', '1.5h', '-1h', '1H', '1 h', ' 1h', '1h ', '30m1h', '1h1h', '1y', '1ms', '9999999999999999w'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
