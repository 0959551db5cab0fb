import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@mtl-split/cli/testing';
import { runEdge } from '../src/index.js';

// The committed dense bundle on its own dataset's test split (no --dataset: the bundle's manifest names it): every
// task scored by the metric of its kind.
const BUNDLE = join(ROOT, 'models/shapes3d-dense-unet');

describe('a dense bundle on its dense dataset', () => {
  it('scores the class map, depth and normals from the dataset labels, beside the factor accuracies', async () => {
    const [r] = await runEdge({ model: BUNDLE, split: 'edge-only', n: 6, warmup: 0 });
    expect(r.failed).toBe(0);
    const m = r.metrics ?? {};
    expect(Object.keys(m).sort()).toEqual(['depth', 'normals', 'scale', 'segmentation', 'shape']);
    // the trained bundle on these 6 noisy out-of-distribution images (measured: pixel accuracy 97.8%, mIoU 0.92,
    // depth 1.5% relative, normals 7.4 deg, shape and scale 6 of 6): a wrong label map, channel order or layout
    // would score near chance
    expect(m.segmentation.pixelAccuracy).toBeGreaterThan(0.9);
    expect(m.segmentation.meanIoU).toBeGreaterThan(0.75);
    expect(m.depth.meanRelativeError).toBeLessThan(0.05);
    // normals compared as angles, channels first as the ONNX output gives them
    expect(m.normals.meanAngleDegrees).toBeLessThan(15);
    expect(m.shape.accuracy).toBeGreaterThanOrEqual(5 / 6);
    expect(m.scale.accuracy).toBeGreaterThanOrEqual(4 / 6);
  }, 60_000);
});
