import { errorPct } from '../analytic.js';
import type { BundleInfo } from '../bundles.js';
import type { Cell, NotMeasuredCell, Prediction, Timings } from '../results.js';

type CellId = Pick<Cell, 'profile' | 'codec' | 'answer' | 'split' | 'repetition'>;

const same = (a: CellId, m: CellId): boolean =>
  a.profile === m.profile && a.codec === m.codec && a.answer === m.answer && a.split === m.split && a.repetition === m.repetition;

/**
 * The MTL cells as they are, and the single-task cells summed over the task bundles (N edge halves, N
 * transmissions), measured and not measured.
 */
export function combineCells(
  rawCells: Cell[],
  rawSkipped: NotMeasuredCell[],
  mtl: BundleInfo,
  stl: BundleInfo[],
  minSamples: number,
): { cells: Cell[]; notMeasured: NotMeasuredCell[] } {
  const cells = rawCells.filter((c) => c.bundle === mtl.id);
  const notMeasured = rawSkipped.filter((c) => c.bundle === mtl.id);
  if (!stl.length) return { cells, notMeasured };
  const firstStl = stl[0]!.id;
  const name = stl.map((b) => b.id).join('+');
  for (const m of rawCells.filter((c) => c.bundle === firstStl)) {
    const parts = stl.map((b) => rawCells.find((c) => c.bundle === b.id && same(c, m)));
    if (parts.every((x): x is Cell => x !== undefined)) cells.push(sumCells(m, parts, name));
  }
  // a single-task cell not measured: its prediction sums the task networks' (each from its baseline)
  for (const m of rawSkipped.filter((c) => c.bundle === firstStl)) {
    const parts = stl.map(
      (b) => rawSkipped.find((c) => c.bundle === b.id && same(c, m)) ?? rawCells.find((c) => c.bundle === b.id && same(c, m)),
    );
    if (parts.every((x): x is NotMeasuredCell | Cell => x !== undefined))
      notMeasured.push(sumNotMeasured(m, parts, name, stl.length, minSamples));
  }
  return { cells, notMeasured };
}

/** One single-task cell: the task networks' cells of the same profile, codec, answer setting, split and repetition, summed. */
function sumCells(m: Cell, ps: Cell[], bundle: string): Cell {
  const sum = (f: (c: Cell) => number): number => ps.reduce((a, c) => a + f(c), 0);
  const timings: Timings = {
    edge: sum((c) => c.timings.edge),
    encode: sum((c) => c.timings.encode),
    network: sum((c) => c.timings.network),
    cloud: sum((c) => c.timings.cloud),
    decode: sum((c) => c.timings.decode),
    total: sum((c) => c.timings.total),
    totalMean: sum((c) => c.timings.totalMean),
    totalP95: sum((c) => c.timings.totalP95),
  };
  const predicted: Prediction = {
    computeMs: sum((c) => c.predicted.computeMs),
    overheadMs: sum((c) => c.predicted.overheadMs),
    transferMs: sum((c) => c.predicted.transferMs),
    latencyMs: sum((c) => c.predicted.latencyMs),
    totalMs: sum((c) => c.predicted.totalMs),
  };
  return {
    ...m,
    variant: 'stl',
    bundle,
    samples: Math.min(...ps.map((c) => c.samples)),
    failed: sum((c) => c.failed),
    accuracy: Object.assign({}, ...ps.map((c) => c.accuracy)) as Record<string, number>,
    timings,
    payloadBytes: sum((c) => c.payloadBytes),
    wireBytesUp: sum((c) => c.wireBytesUp),
    wireBytesDown: sum((c) => c.wireBytesDown),
    answerBytes: ps.every((c) => c.answerBytes !== undefined) ? sum((c) => c.answerBytes ?? 0) : undefined,
    transmissions: ps.length,
    predicted,
    errorPct: errorPct(timings.total, predicted.totalMs),
    measuredLink: { ...m.measuredLink, effectiveUpKBps: undefined },
    // the task networks ran one after the other, not paired per sample: their sum has no per-request samples
    requestsMs: undefined,
    metrics: Object.assign({}, ...ps.map((c) => c.metrics ?? {})) as Cell['metrics'],
  };
}

function sumNotMeasured(
  m: NotMeasuredCell,
  parts: (NotMeasuredCell | Cell)[],
  bundle: string,
  n: number,
  minSamples: number,
): NotMeasuredCell {
  const ms = (x: NotMeasuredCell | Cell): number => ('predictedMs' in x ? x.predictedMs : x.predicted.totalMs);
  const sum = (f: (c: NotMeasuredCell | Cell) => number): number => parts.reduce((a, c) => a + f(c), 0);
  const predictedMs = sum(ms);
  return {
    ...m,
    variant: 'stl',
    bundle,
    predictedMs,
    bestPredictedMs: m.bestPredictedMs * n,
    minCostMs: minSamples * predictedMs,
    payloadBytes: sum((c) => c.payloadBytes),
    wireBytesUp: sum((c) => c.wireBytesUp),
    wireBytesDown: sum((c) => c.wireBytesDown),
    transmissions: n,
  };
}
