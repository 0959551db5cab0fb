import { z } from 'zod';
import type { RateTrace } from './trace.js';

const logNormal = z
  .object({
    /** Median rate of the state, Mbit/s (exp of the log-rate's mean). */
    medianMbps: z.number().positive(),
    /** Standard deviation of the natural log of the rate. */
    sigma: z.number().nonnegative().max(5),
  })
  .strict();

/**
 * A two-state (good/bad) Gilbert-Elliott channel in steps of `stepS` seconds: a Markov chain that leaves
 * good for bad with probability `pGoodToBad` per step and bad for good with `pBadToGood`; in each step the
 * rate is drawn afresh, log-normal around the state's median, and in the bad state it is 0 (nothing passes)
 * with probability `zeroInBad`. It reproduces: the share of time in bad, pGB / (pGB + pBG); mean stays of
 * 1 / pGB (good) and 1 / pBG (bad) steps; the share of zero steps, pGB / (pGB + pBG) x zeroInBad; and the
 * per-step rate distribution, a mixture of the two log-normals (its percentiles, e.g. p10 / p50 / p90).
 */
export const gilbertElliottSchema = z
  .object({
    stepS: z.number().positive().max(60).default(1),
    pGoodToBad: z.number().gt(0).lt(1),
    pBadToGood: z.number().gt(0).lt(1),
    good: logNormal,
    bad: logNormal,
    zeroInBad: z.number().min(0).max(1).default(0),
    /** Rates are clipped to this, Mbit/s (a link's ceiling). */
    maxMbps: z.number().positive().optional(),
  })
  .strict();
export type GilbertElliott = z.infer<typeof gilbertElliottSchema>;
export type GilbertElliottInput = z.input<typeof gilbertElliottSchema>;

/** The statistics the model's parameters give in the long run. */
export function stationary(p: GilbertElliott): { badShare: number; zeroShare: number; meanGoodS: number; meanBadS: number } {
  const badShare = p.pGoodToBad / (p.pGoodToBad + p.pBadToGood);
  return { badShare, zeroShare: badShare * p.zeroInBad, meanGoodS: p.stepS / p.pGoodToBad, meanBadS: p.stepS / p.pBadToGood };
}

/** A standard normal draw (Box-Muller) from a uniform [0, 1) source. */
function normal(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * Generates `seconds` of the channel (rounded up to whole steps) from a seeded uniform source `rng`
 * (e.g. `mulberry32(seed)` of @mtl-split/data). The first state is drawn from the stationary shares.
 */
export function generateGilbertElliott(params: GilbertElliottInput, seconds: number, rng: () => number, source: string): RateTrace {
  const p = gilbertElliottSchema.parse(params);
  const steps = Math.ceil(seconds / p.stepS);
  let bad = rng() < stationary(p).badShare;
  const intervals = [];
  for (let i = 0; i < steps; i++) {
    const state = bad ? p.bad : p.good;
    const zero = bad && rng() < p.zeroInBad;
    const drawn = state.medianMbps * Math.exp(state.sigma * normal(rng));
    const mbps = zero ? 0 : Math.min(p.maxMbps ?? Number.POSITIVE_INFINITY, drawn);
    intervals.push({ startS: i * p.stepS, durationS: p.stepS, mbps });
    bad = bad ? rng() >= p.pBadToGood : rng() < p.pGoodToBad;
  }
  return { source, intervals, durationS: steps * p.stepS };
}

/**
 * Fits the model to per-step rates: a step is bad when its rate is below `thresholdMbps`; transition
 * probabilities are counted, each state's median and sigma are those of its non-zero log-rates, and
 * zeroInBad is the bad steps' share of zeros; maxMbps is the largest rate seen (the link's ceiling).
 */
export function fitGilbertElliott(rates: readonly number[], thresholdMbps: number, stepS = 1): GilbertElliott {
  const isBad = rates.map((r) => r < thresholdMbps);
  const count = (from: boolean, to: boolean): number => isBad.slice(1).filter((b, i) => isBad[i] === from && b === to).length;
  const leaving = (from: boolean): number => count(from, !from) / Math.max(1, count(from, !from) + count(from, from));
  const logStats = (xs: number[]): { medianMbps: number; sigma: number } => {
    const logs = xs.filter((x) => x > 0).map(Math.log);
    const m = logs.reduce((a, b) => a + b, 0) / Math.max(1, logs.length);
    const v = logs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, logs.length);
    return { medianMbps: Math.exp(m), sigma: Math.sqrt(v) };
  };
  const badRates = rates.filter((_, i) => isBad[i]);
  return gilbertElliottSchema.parse({
    stepS,
    pGoodToBad: Math.min(0.999, Math.max(1e-6, leaving(false))),
    pBadToGood: Math.min(0.999, Math.max(1e-6, leaving(true))),
    good: logStats(rates.filter((_, i) => !isBad[i])),
    bad: logStats(badRates),
    zeroInBad: badRates.length ? badRates.filter((r) => r === 0).length / badRates.length : 0,
    maxMbps: rates.reduce((a, b) => Math.max(a, b), 0) || undefined,
  });
}
