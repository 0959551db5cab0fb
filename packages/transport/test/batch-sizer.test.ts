import { describe, expect, it } from 'vitest';
import { BatchSizer, FIRST_BATCH } from '../src/batch-sizer.js';
import { Batcher } from '../src/batcher.js';

// A batch bounded in time as well as in samples: cheap split points batch up to maxBatch, costly ones stay short.

describe('BatchSizer', () => {
  it('fits as many samples as the measured compute per sample allows, within 1..maxBatch', () => {
    const s = new BatchSizer(64, 2);
    expect(s.limit('a')).toBe(FIRST_BATCH); // not measured yet
    s.measured('a', 8, 8); // 1 ms a sample
    expect(s.limit('a')).toBe(2);
    s.measured('b', 8, 0.08); // 10 us a sample: 200 fit, maxBatch caps
    expect(s.limit('b')).toBe(64);
    s.measured('c', 1, 30); // longer than the bound for one sample: still 1
    expect(s.limit('c')).toBe(1);
    expect(s.limit('a')).toBe(2); // points apart
  });

  it('follows a change of cost (a moving average), and has no bound in time at maxBatchMs 0', () => {
    const s = new BatchSizer(64, 2);
    s.measured('a', 10, 10);
    s.measured('a', 10, 1); // 1 then 0.1 ms a sample: 0.55
    expect(s.limit('a')).toBe(3);
    s.measured('a', 10, 1);
    s.measured('a', 10, 1);
    expect(s.limit('a')).toBe(9); // 0.55, 0.325, then 0.2125 ms a sample
    const off = new BatchSizer(16, 0);
    off.measured('a', 1, 100);
    expect(off.limit('a')).toBe(16);
    expect(new BatchSizer(4, 2).limit('x')).toBe(4); // a first batch within maxBatch
  });
});

/** Hold the thread for `ms` (the model runs synchronously on the event loop, as ONNX Runtime's does). */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('Batcher with a bound in time', () => {
  it('batches a cheap point up to maxBatch and keeps a costly point near the bound', async () => {
    const perSampleMs: Record<string, number> = { cheap: 0, costly: 2 };
    const sizes: Record<string, number[]> = { cheap: [], costly: [] };
    const batcher = new Batcher(
      async (point, [input]) => {
        const n = input.shape[0];
        sizes[point].push(n);
        busy(perSampleMs[point] * n);
        return { outputs: { t: new Float32Array(n) }, probabilities: {} };
      },
      new Map([
        ['cheap', [[1]]],
        ['costly', [[1]]],
      ]),
      { maxBatch: 64, maxBatchMs: 5, maxWaitMs: 0, maxQueue: 1000 },
    );
    const one = new Float32Array(1);
    const asked = [
      ...Array.from({ length: 300 }, (_, i) => batcher.submit('cheap', one, 1, undefined, `c${i}`)),
      ...Array.from({ length: 16 }, (_, i) => batcher.submit('costly', one, 1, undefined, `k${i}`)),
    ];
    const answers = await Promise.all(asked);
    expect(answers).toHaveLength(316);
    expect(sizes.cheap.reduce((a, b) => a + b, 0)).toBe(300);
    expect(sizes.costly.reduce((a, b) => a + b, 0)).toBe(16);
    // first batches: FIRST_BATCH samples; then a cheap point grows past it, a costly one (2 ms a sample, 5 ms bound) shrinks to 2 or 1
    expect(sizes.cheap[0]).toBe(FIRST_BATCH);
    expect(Math.max(...sizes.cheap)).toBeGreaterThan(FIRST_BATCH);
    expect(sizes.costly[0]).toBe(FIRST_BATCH);
    expect(Math.max(...sizes.costly.slice(1))).toBeLessThanOrEqual(2);
  });
});
