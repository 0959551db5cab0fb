/**
 * Order statistics over a sample of numbers.
 *
 * Percentile definition (the only one in the project): linear interpolation between closest ranks, as
 * NumPy's default `linear` method, R's type 7 and Excel's PERCENTILE.INC. Sort the n values ascending
 * (x[0] <= ... <= x[n-1]); for p in [0, 100] let h = (n - 1) * p / 100, then
 *   percentile = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
 * So p = 0 is the minimum, p = 100 the maximum, and the median (p = 50) of an even count is the mean of the
 * two middle values. No values give NaN (a caller that wants another convention says so at its call).
 */

function checkP(p: number): void {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be a number in [0, 100], got ${p}`);
}

/** Percentile p (0..100) of values already sorted ascending; NaN for none. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  checkP(p);
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Values sorted ascending, in a new array. */
export function sortedCopy(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Percentile p (0..100) of the values, by linear interpolation between closest ranks; NaN for none. */
export function percentile(xs: readonly number[], p: number): number {
  return percentileOfSorted(sortedCopy(xs), p);
}

/** The median: percentile 50 (the mean of the two middle values of an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Arithmetic mean; NaN for none. */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** The smallest value, e.g. the fastest of timed rounds (noise on a shared machine only adds time); NaN for none. */
export function fastest(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => (b < a ? b : a)) : NaN;
}

/** The largest value; NaN for none. */
export function slowest(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => (b > a ? b : a)) : NaN;
}

/** A sample summarised: its count, mean, extremes and percentiles 5, 50, 95 and 99 (all NaN for none). */
export interface Summary {
  n: number;
  mean: number;
  min: number;
  p5: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The values summarised (sorted once). */
export function summary(xs: readonly number[]): Summary {
  const s = sortedCopy(xs);
  const at = (p: number): number => percentileOfSorted(s, p);
  return { n: s.length, mean: mean(xs), min: at(0), p5: at(5), p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}
