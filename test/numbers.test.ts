import { describe, expect, it } from 'vitest';
import { thousands } from '../src/numbers.js';

describe('thousands', () => {
  it('writes every whole number as toLocaleString("en-US") does', () => {
    const values = [0, 7, 999, 1000, 1001, 9623, 99_999, 100_000, 1_234_567, 2_020_383, -1, -1000, -987_654_321, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    for (let n = 1; n < 1e15; n = n * 10 + 3) values.push(n, n + 1, -n);
    for (const n of values) expect(thousands(n), String(n)).toBe(n.toLocaleString('en-US'));
  });

  it('leaves other numbers to toLocaleString', () => {
    for (const n of [0.5, 1234.5678, -0.25, 1e21, Number.NaN, Infinity]) expect(thousands(n)).toBe(n.toLocaleString('en-US'));
  });
});
