import { describe, expect, it } from 'vitest';
import { errorPct, extremeProfiles, predictLatency, winners } from '../src/analytic.js';
import { syntheticResults } from './fixture.js';

describe('analytic model', () => {
  it('adds compute, overhead, transfer at the configured bandwidth and the round trip', () => {
    const p = predictLatency({ edge: 2, encode: 0.5, cloud: 3, decode: 0.5 }, { up: 6000, down: 600 }, 1, { upKBps: 6, downKBps: 6, latencyMs: 300, jitterMs: 40 });
    expect(p.computeMs).toBeCloseTo(6);
    expect(p.transferMs).toBeCloseTo(1100); // 6000 B / 6000 B/s + 600 B / 6000 B/s = 1.1 s
    expect(p.totalMs).toBeCloseTo(6 + 1 + 1100 + 300);
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
