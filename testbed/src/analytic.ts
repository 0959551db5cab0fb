import type { Cell, LinkFigures, Prediction, Results, Timings, Variant, Winner } from './results.js';

/**
 * Analytic latency model of one request (one sample):
 *   predicted = edge compute + encode + cloud compute + decode          (measured in the cell)
 *             + unshaped overhead                                        (network time without toxics)
 *             + wire bytes up / up bandwidth + wire bytes down / down bandwidth   (configured link)
 *             + round-trip latency                                       (configured link; jitter averages out)
 */
export function predictLatency(
  t: Pick<Timings, 'edge' | 'encode' | 'cloud' | 'decode'>,
  wire: { up: number; down: number },
  overheadMs: number,
  link: LinkFigures,
): Prediction {
  const computeMs = t.edge + t.encode + t.cloud + t.decode;
  const transferMs = (wire.up / (link.upKBps * 1000) + wire.down / (link.downKBps * 1000)) * 1000;
  const totalMs = computeMs + overheadMs + transferMs + link.latencyMs;
  return { computeMs, overheadMs, transferMs, latencyMs: link.latencyMs, totalMs };
}

/** The candidate that runs the whole network on the edge device (no transmission). */
export const EDGE_ONLY = 'edge-only';

/** Edge-only has no link: its prediction is its compute (the whole network on the edge device). */
export function predictEdgeOnly(t: Pick<Timings, 'edge' | 'encode' | 'cloud' | 'decode'>): Prediction {
  const computeMs = t.edge + t.encode + t.cloud + t.decode;
  return { computeMs, overheadMs: 0, transferMs: 0, latencyMs: 0, totalMs: computeMs };
}

/** A cell predicted over this many times the best prediction of its profile and codec cannot win (the model errs by tens of %, not 2x). */
export const HOPELESS_FACTOR = 2;

/**
 * Whether a cell is not worth measuring: predicted over HOPELESS_FACTOR x the best prediction of its profile
 * and codec (`bestMs`, edge-only's measured latency included), and longer than the cell's time budget even
 * at `minSamples` samples. Cells that could win, or that cost less than their budget, are measured.
 */
export function hopeless(predictedMs: number, bestMs: number, minSamples: number, maxCellSeconds: number): boolean {
  return predictedMs > HOPELESS_FACTOR * bestMs && minSamples * predictedMs > maxCellSeconds * 1000;
}

/** Signed error of the prediction in % of the measured value. */
export function errorPct(measuredMs: number, predictedMs: number): number {
  return measuredMs > 0 ? ((measuredMs - predictedMs) / measuredMs) * 100 : 0;
}

/** Mean of a numeric field over cells. */
function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/**
 * Winning split per (variant, profile, codec), measured and predicted, averaging repetitions.
 * Ties go to the earlier split in `splits` order.
 */
export function winners(cells: Cell[], splits: string[]): Winner[] {
  const groups = new Map<string, Cell[]>();
  for (const c of cells) {
    const k = `${c.variant}\u0000${c.profile}\u0000${c.codec}`;
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const out: Winner[] = [];
  for (const g of groups.values()) {
    const bySplit = new Map<string, { m: number; p: number }>();
    for (const s of splits) {
      const cs = g.filter((c) => c.split === s && c.samples > c.failed);
      if (cs.length) bySplit.set(s, { m: mean(cs.map((c) => c.timings.total)), p: mean(cs.map((c) => c.predicted.totalMs)) });
    }
    if (!bySplit.size) continue;
    let bm: [string, number] = ['', Infinity];
    let bp: [string, number] = ['', Infinity];
    for (const [s, v] of bySplit) {
      if (v.m < bm[1]) bm = [s, v.m];
      if (v.p < bp[1]) bp = [s, v.p];
    }
    const c0 = g[0]!;
    out.push({ variant: c0.variant as Variant, profile: c0.profile, codec: c0.codec, measuredSplit: bm[0], measuredMs: bm[1], predictedSplit: bp[0], predictedMs: bp[1] });
  }
  return out;
}

/** Fastest and slowest profile by reference cost (10 kB upstream + RTT). */
export function extremeProfiles(r: Pick<Results, 'profiles'>): { fastest: string; slowest: string } | null {
  if (!r.profiles.length) return null;
  const sorted = [...r.profiles].sort((a, b) => a.referenceMs - b.referenceMs);
  return { fastest: sorted[0]!.name, slowest: sorted[sorted.length - 1]!.name };
}
