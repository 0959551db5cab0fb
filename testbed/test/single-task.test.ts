import { describe, expect, it } from 'vitest';
import type { BundleInfo } from '../src/bundles.js';
import type { Cell, NotMeasuredCell } from '../src/results.js';
import { combineCells } from '../src/sweep/single-task.js';

const bundle = (id: string, tasks: string[]): BundleInfo => ({
  dir: `/x/${id}`,
  id,
  tasks,
  taskKinds: tasks.map((name) => ({ name })),
  splits: [{ name: 'block4', bytesPerSample: 512 }],
  candidates: ['block4'],
});

function cell(b: string, task: string, totalMs: number, over: Partial<Cell> = {}): Cell {
  const t = {
    edge: 1,
    encode: 0.5,
    network: totalMs - 3,
    cloud: 1,
    decode: 0.5,
    total: totalMs,
    totalMean: totalMs + 1,
    totalP95: totalMs + 2,
  };
  return {
    variant: 'mtl',
    bundle: b,
    profile: 'lte',
    codec: 'int8',
    split: 'block4',
    repetition: 0,
    samples: 20,
    failed: 1,
    accuracy: { [task]: 0.9 },
    timings: t,
    payloadBytes: 192,
    wireBytesUp: 300,
    wireBytesDown: 100,
    transmissions: 1,
    configured: { upKBps: 100, downKBps: 1000, latencyMs: 50, jitterMs: 0 },
    measuredLink: { rttMs: 50, upKBps: 100, downKBps: 1000, probeBytes: 1000, effectiveUpKBps: 99 },
    predicted: { computeMs: 3, overheadMs: 1, transferMs: 4, latencyMs: 50, totalMs: totalMs - 2 },
    errorPct: 0,
    ...over,
  };
}

describe('combineCells (single-task sums)', () => {
  const mtl = bundle('mtl', ['left', 'right']);
  const stl = [bundle('L', ['left']), bundle('R', ['right'])];

  it('keeps MTL cells and sums the task networks of the same profile, codec, split and repetition', () => {
    const raw = [
      cell('mtl', 'left', 60),
      cell('L', 'left', 70),
      cell('R', 'right', 80, { samples: 15 }),
      cell('R', 'right', 90, { profile: 'wifi' }),
    ];
    const { cells } = combineCells(raw, [], mtl, stl, 3);
    expect(cells.map((c) => c.bundle)).toEqual(['mtl', 'L+R']);
    const s = cells[1]!;
    expect(s.variant).toBe('stl');
    expect(s.timings.total).toBe(150);
    expect(s.timings.network).toBe(144);
    expect(s.timings.totalP95).toBe(154);
    expect(s.predicted.totalMs).toBe(146);
    expect(s.samples).toBe(15);
    expect(s.failed).toBe(2);
    expect(s.transmissions).toBe(2);
    expect(s.wireBytesUp).toBe(600);
    expect(s.accuracy).toEqual({ left: 0.9, right: 0.9 });
    expect(s.errorPct).toBeCloseTo(((150 - 146) / 150) * 100, 10);
    expect(s.measuredLink.effectiveUpKBps).toBeUndefined();
  });

  it('sums a not-measured single-task cell from measured and not-measured parts', () => {
    const skipped: NotMeasuredCell = {
      variant: 'stl',
      bundle: 'L',
      profile: 'lte',
      codec: 'int8',
      split: 'block4',
      repetition: 0,
      predictedMs: 500,
      bestPredictedMs: 100,
      bestSplit: 'input',
      minCostMs: 1500,
      budgetMs: 1000,
      payloadBytes: 192,
      wireBytesUp: 300,
      wireBytesDown: 100,
      transmissions: 1,
    };
    const { notMeasured } = combineCells([cell('R', 'right', 80)], [skipped], mtl, stl, 3);
    expect(notMeasured).toHaveLength(1);
    const n = notMeasured[0]!;
    expect(n.bundle).toBe('L+R');
    expect(n.predictedMs).toBe(578);
    expect(n.minCostMs).toBe(3 * 578);
    expect(n.bestPredictedMs).toBe(200);
    expect(n.transmissions).toBe(2);
  });

  it('leaves out a single-task cell one task network lacks', () => {
    const { cells } = combineCells([cell('L', 'left', 70)], [], mtl, stl, 3);
    expect(cells).toHaveLength(0);
  });
});
