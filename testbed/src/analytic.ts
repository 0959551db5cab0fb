import { EDGE_ONLY, mean, predictEdgeOnly as edgeOnlyModel, predictSplit, type LatencyPrediction } from '@mtl-split/stats';
import type { Cell, LinkFigures, Prediction, Results, Timings, Variant, Winner } from './results.js';

export { EDGE_ONLY };

/**
 * A cell's prediction by the project's one latency model (@mtl-split/stats `predictSplit`):
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
  const costs = { edgeMs: t.edge, encodeMs: t.encode, decodeMs: t.decode, cloudMs: t.cloud, upBytes: wire.up, downBytes: wire.down };
  return asPrediction(predictSplit(costs, { rttMs: link.latencyMs, upKBps: link.upKBps, downKBps: link.downKBps, overheadMs }));
}

/** Edge-only has no link: its prediction is its compute (the whole network on the edge device). */
export function predictEdgeOnly(t: Pick<Timings, 'edge' | 'encode' | 'cloud' | 'decode'>): Prediction {
  return asPrediction(edgeOnlyModel(t.edge + t.encode + t.cloud + t.decode));
}

function asPrediction(p: LatencyPrediction): Prediction {
  return { computeMs: p.computeMs, overheadMs: p.overheadMs, transferMs: p.transferMs, latencyMs: p.rttMs, totalMs: p.totalMs };
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

/**
 * Winning split per (variant, profile, codec, answer setting), measured and predicted, averaging repetitions.
 * Ties go to the earlier split in `splits` order.
 */
export function winners(cells: Cell[], splits: string[]): Winner[] {
  const groups = new Map<string, Cell[]>();
  for (const c of cells) {
    const k = `${c.variant}\u0000${c.profile}\u0000${c.codec}\u0000${c.answer ?? ''}`;
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
    out.push({
      variant: c0.variant as Variant,
      profile: c0.profile,
      codec: c0.codec,
      ...(c0.answer !== undefined ? { answer: c0.answer } : {}),
      measuredSplit: bm[0],
      measuredMs: bm[1],
      predictedSplit: bp[0],
      predictedMs: bp[1],
    });
  }
  return out;
}

/** Fastest and slowest profile by reference cost (10 kB upstream + RTT). */
export function extremeProfiles(r: Pick<Results, 'profiles'>): { fastest: string; slowest: string } | null {
  if (!r.profiles.length) return null;
  const sorted = [...r.profiles].sort((a, b) => a.referenceMs - b.referenceMs);
  return { fastest: sorted[0]!.name, slowest: sorted[sorted.length - 1]!.name };
}
