/**
 * A bandwidth trace: consecutive intervals, each with one rate (and optionally a round-trip latency).
 * Rates are in Mbit/s (10^6 bit/s), the unit traces are quoted in; `toxiproxyRate` converts to the
 * bandwidth toxic's KB/s (1 KB = 1000 B, so 1 Mbit/s = 125 KB/s).
 */
export interface RateInterval {
  /** Start, seconds from the trace's start. */
  startS: number;
  durationS: number;
  /** Mbit/s; 0 means nothing passes during the interval. */
  mbps: number;
  /** Round-trip latency during the interval, ms (absent: the profile's). */
  latencyMs?: number;
}

export interface RateTrace {
  /** Where it came from (a file path, or a generator and its seed). */
  source: string;
  /** Intervals back to back from 0 (each starts where the previous one ends). */
  intervals: RateInterval[];
  /** Sum of the intervals' durations; a looping replay starts again after it. */
  durationS: number;
}

/** KB/s per Mbit/s: Toxiproxy's bandwidth `rate` is in KB/s of 1000 bytes. */
export const KBPS_PER_MBPS = 125;

/** The smallest rate a bandwidth toxic takes (Toxiproxy's rate is an integer, and 0 passes nothing). */
export const MIN_TOXIC_KBPS = 1;

/** A trace rate as a bandwidth toxic rate: 0 stays 0 (the replay holds data then), else whole KB/s, at least 1. */
export function toxiproxyRate(mbps: number): number {
  if (mbps <= 0) return 0;
  return Math.max(MIN_TOXIC_KBPS, Math.round(mbps * KBPS_PER_MBPS));
}

/** Builds a trace from interval starts (the last interval lasting `lastS`), checking order. */
export function traceFromStarts(
  source: string,
  rows: readonly { startS: number; mbps: number; latencyMs?: number }[],
  lastS: number,
): RateTrace {
  const intervals = rows.map((r, i) => {
    const end = i + 1 < rows.length ? rows[i + 1]!.startS : r.startS + lastS;
    return { ...r, durationS: end - r.startS };
  });
  return { source, intervals, durationS: intervals.length ? intervals[intervals.length - 1]!.startS + lastS : 0 };
}

/** The interval in force at `tS` seconds from the start (the last one at or after the end; the first before 0). */
export function intervalAt(trace: RateTrace, tS: number): RateInterval {
  const xs = trace.intervals;
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid]!.startS <= tS) lo = mid;
    else hi = mid - 1;
  }
  return xs[lo]!;
}

/** The trace cut or repeated to `durationS` seconds (a replay that loops sees this). */
export function repeatTrace(trace: RateTrace, durationS: number): RateTrace {
  const intervals: RateInterval[] = [];
  const us = (x: number): number => Math.round(x * 1e6) / 1e6; // no drift from adding durations up
  for (let k = 0; k * trace.durationS < durationS; k++) {
    for (const iv of trace.intervals) {
      const startS = us(k * trace.durationS + iv.startS);
      if (startS >= durationS) break;
      intervals.push({ ...iv, startS, durationS: us(Math.min(iv.durationS, durationS - startS)) });
    }
  }
  return { source: trace.source, intervals, durationS };
}

/** The part of a trace from `fromS` to `toS` (default its end), shifted to start at 0. */
export function sliceTrace(trace: RateTrace, fromS: number, toS = trace.durationS): RateTrace {
  const end = Math.min(toS, trace.durationS);
  const intervals: RateInterval[] = [];
  for (const iv of trace.intervals) {
    const a = Math.max(iv.startS, fromS);
    const b = Math.min(iv.startS + iv.durationS, end);
    if (b > a) intervals.push({ ...iv, startS: a - fromS, durationS: b - a });
  }
  return { source: `${trace.source} from ${fromS} s`, intervals, durationS: Math.max(0, end - fromS) };
}
