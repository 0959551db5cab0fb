import { describe, expect, it } from 'vitest';
import { fastest, mean, median, percentile, percentileOfSorted, slowest, summary } from '../src/index.js';

const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('percentile (linear interpolation between closest ranks)', () => {
  it("gives the values NumPy's default method gives", () => {
    // numpy.percentile([1, 2, 3, 4], 25) == 1.75; ([15, 20, 35, 40, 50], 40) == 29.0
    expect(percentile([1, 2, 3, 4], 25)).toBeCloseTo(1.75, 12);
    expect(percentile([15, 20, 35, 40, 50], 40)).toBeCloseTo(29, 12);
    // 1..20: h = 19 * 0.95 = 18.05, between the 19th and 20th values
    expect(percentile(oneTo(20), 95)).toBeCloseTo(19.05, 12);
    expect(percentile(oneTo(100), 99)).toBeCloseTo(99.01, 12);
    expect(percentile(oneTo(100), 5)).toBeCloseTo(5.95, 12);
  });

  it('is the minimum at 0, the maximum at 100 and a value itself at an exact rank', () => {
    const xs = [9, 3, 7, 1, 5];
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 100)).toBe(9);
    expect(percentile(xs, 25)).toBe(3);
    expect(percentile(xs, 75)).toBe(7);
    expect(percentile([4], 95)).toBe(4);
  });

  it('sorts a copy (the input keeps its order) and sorts numerically, not as strings', () => {
    const xs = [10, 9, 100, 1];
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile(xs, 0)).toBe(1);
    expect(xs).toEqual([10, 9, 100, 1]);
  });

  it('never decreases as p grows', () => {
    const xs = [0.3, 12, 5, 5, 7.5, 1, 40, 2];
    let last = -Infinity;
    for (let p = 0; p <= 100; p += 0.5) {
      const v = percentile(xs, p);
      expect(v).toBeGreaterThanOrEqual(last);
      last = v;
    }
  });

  it('is NaN for no values and rejects p outside [0, 100] naming the valid range', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow('percentile: p must be a number in [0, 100], got 101');
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentileOfSorted([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('median, mean, fastest, slowest', () => {
  it('takes the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('means, fastest and slowest, NaN for none', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBeNaN();
    expect(fastest([3, 0.5, 2])).toBe(0.5);
    expect(slowest([3, 0.5, 2])).toBe(3);
    expect(fastest([])).toBeNaN();
    expect(slowest([])).toBeNaN();
  });
});

describe('summary', () => {
  it('summarises 1..100 by count, mean, extremes and percentiles', () => {
    const s = summary(oneTo(100).reverse());
    expect(s.n).toBe(100);
    expect(s.mean).toBeCloseTo(50.5, 12);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.p5).toBeCloseTo(5.95, 12);
    expect(s.p50).toBeCloseTo(50.5, 12);
    expect(s.p95).toBeCloseTo(95.05, 12);
    expect(s.p99).toBeCloseTo(99.01, 12);
  });

  it('is all NaN but n = 0 for no values', () => {
    const s = summary([]);
    expect(s.n).toBe(0);
    for (const k of ['mean', 'min', 'p5', 'p50', 'p95', 'p99', 'max'] as const) expect(s[k]).toBeNaN();
  });
});
