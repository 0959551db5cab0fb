/**
 * The spread behind a cell's median: its per-request samples (packed compactly in results.json), a
 * bootstrap confidence interval of the median, ties between candidates whose intervals overlap, and the
 * Wilson interval of an accuracy.
 */
import { mulberry32 } from '@mtl-split/data';
import { median, percentileOfSorted, sortedCopy } from '@mtl-split/stats';
import { unpackSamples } from '../results.js';

/** Resamples of the bootstrap; enough for a stable 95% interval of a median of 3-1000 samples. */
export const BOOTSTRAP_RESAMPLES = 2000;
/** The interval's confidence (two-sided). */
export const CONFIDENCE = 0.95;
/** z of the two-sided 95% normal quantile (Wilson interval). */
const Z95 = 1.959964;

export interface Interval {
  lo: number;
  hi: number;
}

/**
 * The percentile bootstrap 95% confidence interval of the median: `BOOTSTRAP_RESAMPLES` resamples with
 * replacement (seeded, so a report is reproducible), the 2.5th and 97.5th percentiles of their medians.
 * One value: that value; none: NaN.
 */
export function medianCI(values: readonly number[], seed = 1): Interval {
  const n = values.length;
  if (n === 0) return { lo: NaN, hi: NaN };
  if (n === 1) return { lo: values[0]!, hi: values[0]! };
  const sorted = sortedCopy(values);
  const rand = mulberry32(seed);
  const meds = new Float64Array(BOOTSTRAP_RESAMPLES);
  const counts = new Int32Array(n);
  // ranks of the middle one or two values of a resample (the median, as `median` takes it)
  const [m1, m2] = [Math.floor((n - 1) / 2), Math.ceil((n - 1) / 2)];
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
    // a resample as counts per rank of the sorted values: its order statistics are read off in O(n)
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(rand() * n)]!++;
    let a = NaN;
    let seen = 0;
    for (let k = 0; k < n; k++) {
      seen += counts[k]!;
      if (Number.isNaN(a) && seen > m1) a = sorted[k]!;
      if (seen > m2) {
        meds[r] = (a + sorted[k]!) / 2;
        break;
      }
    }
  }
  meds.sort();
  const tail = ((1 - CONFIDENCE) / 2) * 100;
  const m = Array.from(meds);
  return { lo: percentileOfSorted(m, tail), hi: percentileOfSorted(m, 100 - tail) };
}

/**
 * A weighted mean of per-block values (`x`, weight `w`) and its percentile bootstrap 95% interval, resampling
 * whole blocks (seeded): for values paired by block, such as the per-second difference of two runs that replay
 * the same timeline, where requests within a second are not independent but seconds roughly are.
 */
export function weightedMeanCI(rows: readonly { w: number; x: number }[], seed = 1): Interval & { mean: number } {
  const wmean = (pick: (i: number) => number): number => {
    let sw = 0;
    let swx = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[pick(i)]!;
      sw += r.w;
      swx += r.w * r.x;
    }
    return sw > 0 ? swx / sw : NaN;
  };
  const mean = wmean((i) => i);
  if (rows.length < 2) return { mean, lo: mean, hi: mean };
  const rand = mulberry32(seed);
  const means = Array.from({ length: BOOTSTRAP_RESAMPLES }, () => wmean(() => Math.floor(rand() * rows.length)));
  const sorted = sortedCopy(means);
  const tail = ((1 - CONFIDENCE) / 2) * 100;
  return { mean, lo: percentileOfSorted(sorted, tail), hi: percentileOfSorted(sorted, 100 - tail) };
}

/** Whether two intervals share any value. */
export const overlap = (a: Interval, b: Interval): boolean => a.lo <= b.hi && b.lo <= a.hi;

/** The Wilson score 95% interval of a proportion of `k` successes in `n` trials (in [0, 1]). */
export function wilson(k: number, n: number): Interval {
  if (n <= 0) return { lo: NaN, hi: NaN };
  const p = k / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/** A candidate's median and interval, from its samples (or its recorded median when it has none). */
export interface Spread extends Interval {
  median: number;
  n: number;
}

const spreads = new Map<string, Spread>();

/**
 * Median and bootstrap interval of packed samples (computed once per distinct samples: every plot and table
 * asks); without samples the recorded median, no interval.
 */
export function spreadOf(packed: string | undefined, fallbackMedian: number): Spread {
  if (!packed) return { median: fallbackMedian, lo: fallbackMedian, hi: fallbackMedian, n: 0 };
  let s = spreads.get(packed);
  if (!s) {
    const v = unpackSamples(packed);
    s = v.length
      ? { median: median(v), ...medianCI(v), n: v.length }
      : { median: fallbackMedian, lo: fallbackMedian, hi: fallbackMedian, n: 0 };
    if (spreads.size > 10_000) spreads.clear();
    spreads.set(packed, s);
  }
  return s;
}
