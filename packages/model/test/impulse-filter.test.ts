/**
 * The impulse-noise filter of the unet's block 1: values at the noise levels are dropped, each value
 * becomes the mean of the kept values in its window, an empty window gives 0.5; ONNX Runtime's
 * version (export) gives the same numbers (unet-onnx.test.ts checks it inside a whole model).
 */
import { tf } from '@mtl-split/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyImpulseFilter, impulseFilterSchema } from '../src/backbones/impulse-filter.js';
import { setup } from './helpers.js';
import { tinyUnet } from './unet-helpers.js';

beforeAll(setup);

const f = impulseFilterSchema.parse({});

describe('impulse filter', () => {
  it('averages the kept values of each 3x3 window and channel; an all-impulse window gives 0.5', () => {
    // one row of 4 pixels, 2 channels: channel 0 has kept values 0.2 and 0.6, channel 1 is all impulses
    const x = tf.tensor4d([0.2, 0.98, 0.02, 0.02, 0.6, 1, 0.98, 0], [1, 1, 4, 2]);
    const y = applyImpulseFilter(f, x).dataSync();
    const c0 = [0, 2, 4, 6].map((i) => y[i] as number);
    const c1 = [1, 3, 5, 7].map((i) => y[i] as number);
    // windows (1x3 at this height): [0.2, .02] [0.2, .02, 0.6] [.02, 0.6, .98] [0.6, .98]
    expect(c0[0]).toBeCloseTo(0.2, 2);
    expect(c0[1]).toBeCloseTo(0.4, 2);
    expect(c0[2]).toBeCloseTo(0.6, 2);
    expect(c0[3]).toBeCloseTo(0.6, 2);
    for (const v of c1) expect(v).toBeCloseTo(0.5, 5);
  });

  it('leaves a clean image (no value at the levels) a 3x3 mean of itself', () => {
    const x = tf.fill([1, 5, 5, 1], 0.4) as tf.Tensor4D;
    const y = applyImpulseFilter(f, x).dataSync();
    for (const v of y) expect(v).toBeCloseTo(0.4, 3);
  });

  it('refuses a bad config, naming the field', () => {
    expect(() => tinyUnet({}, { impulseFilter: { window: 4 } })).toThrow(/impulseFilter\.window: must be 3, 5 or 7/);
    // every problem in one line
    expect(() => tinyUnet({}, { impulseFilter: { window: 4, high: 2 } })).toThrow(
      /impulseFilter\.window: must be 3, 5 or 7; impulseFilter\.high: must be in \[0, 1\]/,
    );
    expect(() => tinyUnet({}, { impulseFilter: { low: 0.9, high: 0.1 } })).toThrow(/low must be below high/);
  });

  it('is part of block 1 (no weights), and counts in its FLOPs', () => {
    const plain = tinyUnet();
    const filtered = tinyUnet({}, { impulseFilter: {} });
    expect(filtered.paramCount).toBe(plain.paramCount);
    const edge = (m: typeof plain) => m.splitPoints.find((p) => p.name === 'block1')?.edgeFlops ?? 0;
    expect(edge(filtered)).toBeGreaterThan(edge(plain));
    plain.dispose();
    filtered.dispose();
  });
});
