import { percentileOfSorted, sortedCopy } from '@mtl-split/stats';
import type { RateTrace } from './trace.js';

/**
 * The trace's mean rate in each bin of `binS` seconds (time-weighted over the intervals it overlaps); the
 * last bin is averaged over what is left of the trace.
 */
export function binnedRates(trace: RateTrace, binS = 1): number[] {
  const n = Math.ceil(trace.durationS / binS - 1e-9);
  const bits = new Array<number>(n).fill(0);
  for (const iv of trace.intervals) {
    const end = iv.startS + iv.durationS;
    for (let k = Math.floor(iv.startS / binS); k < n && k * binS < end; k++) {
      const overlap = Math.min(end, (k + 1) * binS) - Math.max(iv.startS, k * binS);
      if (overlap > 0) bits[k]! += overlap * iv.mbps;
    }
  }
  return bits.map((b, k) => b / (Math.min(trace.durationS, (k + 1) * binS) - k * binS));
}

/** What a trace's per-second rates look like (the figures the trace README and the generator's presets quote). */
export interface TraceStats {
  durationS: number;
  /** Time-weighted mean rate, Mbit/s. */
  meanMbps: number;
  /** Percentiles 10, 50, 90 of the per-second rates, Mbit/s. */
  p10Mbps: number;
  p50Mbps: number;
  p90Mbps: number;
  /** Seconds in which nothing passes (per-second rate 0). */
  zeroSeconds: number;
  /** zeroSeconds over the number of seconds. */
  zeroFraction: number;
}

export function traceStats(trace: RateTrace): TraceStats {
  const perSecond = binnedRates(trace, 1);
  const sorted = sortedCopy(perSecond);
  const zeroSeconds = perSecond.filter((r) => r === 0).length;
  const total = trace.intervals.reduce((a, iv) => a + iv.mbps * iv.durationS, 0);
  return {
    durationS: trace.durationS,
    meanMbps: trace.durationS > 0 ? total / trace.durationS : Number.NaN,
    p10Mbps: percentileOfSorted(sorted, 10),
    p50Mbps: percentileOfSorted(sorted, 50),
    p90Mbps: percentileOfSorted(sorted, 90),
    zeroSeconds,
    zeroFraction: perSecond.length ? zeroSeconds / perSecond.length : Number.NaN,
  };
}
