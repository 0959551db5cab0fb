import { describe, expect, it } from 'vitest';
import { errorPct, extremeProfiles, hopeless, HOPELESS_FACTOR, predictLatency, winners } from '../src/analytic.js';
import { notMeasuredLine } from '../src/report/html.js';
import { syntheticResults } from './fixture.js';

describe('analytic model', () => {
  it('adds compute, overhead, transfer at the configured bandwidth and the round trip', () => {
    const p = predictLatency({ edge: 2, encode: 0.5, cloud: 3, decode: 0.5 }, { up: 6000, down: 600 }, 1, {
      upKBps: 6,
      downKBps: 6,
      latencyMs: 300,
      jitterMs: 40,
    });
    expect(p.computeMs).toBeCloseTo(6);
    expect(p.transferMs).toBeCloseTo(1100); // 6000 B / 6000 B/s + 600 B / 6000 B/s = 1.1 s
    expect(p.totalMs).toBeCloseTo(6 + 1 + 1100 + 300);
  });

  it('calls a cell hopeless only when far slower than the best and over its budget even at minSamples', () => {
    // lora: a 25 kB tensor (4.2 s a sample) against edge-only at 1.2 s, budget 2 s, 3 samples
    expect(hopeless(5400, 1200, 3, 2)).toBe(true);
    // as slow, but the best is close: it could win, so it is measured whatever it costs
    expect(hopeless(5400, 5400 / HOPELESS_FACTOR, 3, 2)).toBe(false);
    // far slower than the best, but cheap: measured (3 x 600 ms < 2 s)
    expect(hopeless(600, 10, 3, 2)).toBe(false);
    expect(hopeless(700, 10, 3, 2)).toBe(true);
  });

  it('counts the cells not measured in one summary line', () => {
    expect(notMeasuredLine({})).toBe('');
    const c = {
      variant: 'mtl' as const,
      bundle: 'b',
      profile: 'lora',
      codec: 'int8',
      split: 'block1',
      repetition: 0,
      predictedMs: 5400,
      bestPredictedMs: 1200,
      bestSplit: 'edge-only',
      minCostMs: 16200,
      budgetMs: 2000,
      payloadBytes: 25000,
      wireBytesUp: 25100,
      wireBytesDown: 80,
      transmissions: 1,
    };
    const line = notMeasuredLine({ notMeasured: [c, { ...c, variant: 'stl', transmissions: 3 }] });
    expect(line).toContain('2 cells not measured');
    expect(line).toContain('1 MTL-Split, 1 single-task');
    expect(line).toContain('2 s time budget');
  });

  it('reports the signed error in % of the measurement', () => {
    expect(errorPct(110, 100)).toBeCloseTo(9.0909, 3);
    expect(errorPct(90, 100)).toBeCloseTo(-11.111, 3);
  });

  it('finds a different winning split on the slow and the fast link', () => {
    const r = syntheticResults();
    const ext = extremeProfiles(r)!;
    expect(ext).toEqual({ fastest: 'fast', slowest: 'slow' });
    const w = winners(r.cells, r.splits);
    const fast = w.find((x) => x.profile === 'fast' && x.codec === 'int8')!;
    const slow = w.find((x) => x.profile === 'slow' && x.codec === 'int8')!;
    expect(fast.measuredSplit).toBe('input');
    expect(slow.measuredSplit).toBe('features');
    expect(slow.predictedSplit).toBe('features');
  });
});
