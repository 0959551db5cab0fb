import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@mtl-split/cli/testing';
import { runEdge } from '../src/index.js';

// The committed dense bundle on its own dataset's test split: every task scored by the metric of its kind.
const BUNDLE = join(ROOT, 'models/shapes3d-dense-unet');

describe('a dense bundle on its dense dataset', () => {
  it('scores the class map, depth and normals from the dataset labels, beside the factor accuracies', async () => {
    const [r] = await runEdge({ model: BUNDLE, dataset: 'shapes3d-dense', split: 'edge-only', n: 6, warmup: 0 });
    expect(r.failed).toBe(0);
    const m = r.metrics ?? {};
    expect(Object.keys(m).sort()).toEqual(['depth', 'normals', 'scale', 'segmentation', 'shape']);
    // a network far better than chance on pixels (the floor and walls), depth within its scene's range
    expect(m.segmentation.pixelAccuracy).toBeGreaterThan(0.5);
    expect(m.segmentation.meanIoU).toBeGreaterThan(0);
    expect(m.depth.meanRelativeError).toBeLessThan(0.5);
    // normals compared as angles, channels first as the ONNX output gives them
    expect(m.normals.meanAngleDegrees).toBeLessThan(45);
  }, 60_000);
});
