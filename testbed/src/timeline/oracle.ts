import { mean } from '@mtl-split/stats';
import { type Interval, weightedMeanCI } from '../report/spread.js';

/** A request of a run: seconds from the run's zero (its first request), latency, split used. */
export interface RunPoint {
  t: number;
  ms: number;
  split: string;
}

/** One second of the timeline: the fixed split that was fastest in it, and what auto did in it. */
export interface OracleSecond {
  /** Second k: requests that started in [k, k+1) s from their run's zero. */
  t: number;
  oracle: string;
  oracleMs: number;
  autoRequests: number;
  autoMs: number;
}

export interface PerSecondOracle {
  seconds: OracleSecond[];
  /** The oracle's mean over auto's requests: each second's oracle latency weighted by auto's requests in it. */
  meanMs: number;
  /** auto's mean over the same requests (those in a second some fixed run also had requests in). */
  autoMeanMs: number;
  /** auto's requests in a second no fixed run started a request in (left out of both means). */
  uncovered: number;
}

const bySecond = (points: readonly RunPoint[]): Map<number, number[]> => {
  const out = new Map<number, number[]>();
  for (const p of points) {
    const k = Math.floor(p.t);
    const xs = out.get(k);
    if (xs) xs.push(p.ms);
    else out.set(k, [p.ms]);
  }
  return out;
};

/**
 * The per-second oracle: every fixed run replays the same timeline (the same trace from its own zero), so
 * second k of each run saw the same link; the oracle takes, per second, the fixed split whose requests that
 * started in it had the lowest mean latency, and is compared with auto's requests of the same second.
 * (With a handful of requests per second, the minimum of noisy means is slightly optimistic: a bar against
 * it is a strict one.)
 */
export function perSecondOracle(
  auto: readonly RunPoint[],
  fixed: readonly { split: string; points: readonly RunPoint[] }[],
): PerSecondOracle {
  const runs = fixed.map((r) => ({ split: r.split, seconds: bySecond(r.points) }));
  const seconds: OracleSecond[] = [];
  let uncovered = 0;
  for (const [t, ms] of [...bySecond(auto)].sort((a, b) => a[0] - b[0])) {
    let best: { split: string; ms: number } | undefined;
    for (const r of runs) {
      const xs = r.seconds.get(t);
      if (!xs?.length) continue;
      const m = mean(xs);
      if (!best || m < best.ms) best = { split: r.split, ms: m };
    }
    if (!best) {
      uncovered += ms.length;
      continue;
    }
    seconds.push({ t, oracle: best.split, oracleMs: best.ms, autoRequests: ms.length, autoMs: mean(ms) });
  }
  const n = seconds.reduce((a, s) => a + s.autoRequests, 0);
  const weighted = (f: (s: OracleSecond) => number): number => seconds.reduce((a, s) => a + s.autoRequests * f(s), 0) / Math.max(1, n);
  return { seconds, meanMs: weighted((s) => s.oracleMs), autoMeanMs: weighted((s) => s.autoMs), uncovered };
}

/** auto against one fixed run, second by second: the mean difference (ms, auto minus fixed) and its 95% interval. */
export interface PairedDifference extends Interval {
  /** Weighted by auto's requests in each second both runs have requests in. */
  diffMs: number;
  /** Seconds paired, over all pairs. */
  seconds: number;
  /** Pairs of runs pooled (2 when counterbalanced: auto first in one, the fixed split first in the other). */
  pairs: number;
  /** 'better' or 'worse' when the interval leaves out 0, else 'tie'. */
  verdict: 'better' | 'tie' | 'worse';
}

/**
 * auto against a fixed run of the same timeline, paired by second (second k of both saw the same link): per
 * second, auto's mean less the fixed run's, weighted by auto's requests in it; the interval resamples whole
 * seconds (`weightedMeanCI`), so a difference inside the spread of the link's seconds is a tie. Several pairs
 * (the same two runs again, in the other order: a counterbalanced repeat) pool their seconds, so what running
 * first or second adds to one pair is taken away from the other's.
 */
export function pairedDifference(pairs: readonly { auto: readonly RunPoint[]; fixed: readonly RunPoint[] }[]): PairedDifference {
  const rows = pairs.flatMap(({ auto, fixed }) => {
    const other = bySecond(fixed);
    return [...bySecond(auto)].flatMap(([t, ms]) => {
      const xs = other.get(t);
      return xs?.length ? [{ w: ms.length, x: mean(ms) - mean(xs) }] : [];
    });
  });
  const ci = weightedMeanCI(rows);
  const verdict = ci.hi < 0 ? 'better' : ci.lo > 0 ? 'worse' : 'tie';
  return { diffMs: ci.mean, lo: ci.lo, hi: ci.hi, seconds: rows.length, pairs: pairs.length, verdict };
}

/** `+0.39 ms (95% CI +0.11 to +0.74 over 40 s): worse`; pooled pairs: `... over 80 s of 2 pairs): ...` */
export function vsFixedText(d: PairedDifference): string {
  const ms = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
  const over = d.pairs > 1 ? `${d.seconds} s of ${d.pairs} pairs` : `${d.seconds} s`;
  return `${ms(d.diffMs)} ms (95% CI ${ms(d.lo)} to ${ms(d.hi)} over ${over}): ${d.verdict}`;
}

/** How many times a run's split changed from one request to the next. */
export function splitChanges(points: readonly RunPoint[]): number {
  let n = 0;
  for (let i = 1; i < points.length; i++) if (points[i]!.split !== points[i - 1]!.split) n++;
  return n;
}
