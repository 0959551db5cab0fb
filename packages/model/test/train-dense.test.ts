/**
 * The trainer on dense tasks: a tiny unet on shapes3d-dense (64x64, the paper's noise) trains a few
 * steps through trainModel and every dense loss falls; the test metrics of every kind are there and in
 * range; delta-m's signs.
 */
import { type DenseDataset, loadDataset } from '@mtl-split/data';
import { tf } from '@mtl-split/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, deltaM, denseTaskSpecs, type StepInfo, trainModel } from '../src/index.js';
import { setup } from './helpers.js';

beforeAll(setup);

describe('dense training', () => {
  it('every dense loss falls in a few steps; metrics of every kind are recorded', async () => {
    const ds = loadDataset('shapes3d-dense', { samples: 200 }) as DenseDataset;
    const m = buildModel({
      backbone: 'unet',
      backboneConfig: { stages: [4, 8], skipChannels: 2, decoderWidth: 4, fullWidth: 4 },
      inputShape: ds.inputShape,
      tasks: [...ds.tasks.filter((t) => t.name === 'shape'), ...denseTaskSpecs(ds.dense)],
      head: { hidden: 8 },
      seed: 2,
    });
    const before = tf.memory().numTensors;
    const steps: StepInfo[] = [];
    const r = await trainModel(m, ds, {
      epochs: 3,
      batchSize: 16,
      lr: 2e-2,
      lrSchedule: 'constant',
      seed: 1,
      trainLimit: 48,
      testLimit: 8,
      onStep: (s) => steps.push(s),
    });
    expect(tf.memory().numTensors).toBe(before);
    const first = steps[0]?.taskLoss as Record<string, number>;
    const last = r.epochs[2]?.taskLoss as Record<string, number>;
    for (const task of ['segmentation', 'depth', 'normals']) {
      expect(last[task], `${task}: ${first[task]} -> ${last[task]}`).toBeLessThan((first[task] as number) * 0.95);
    }
    console.log(
      `dense losses, first step -> epoch 3: ${Object.keys(first)
        .map((k) => `${k} ${first[k]?.toFixed(3)} -> ${last[k]?.toFixed(3)}`)
        .join(', ')}`,
    );
    const t = r.testMetrics;
    expect(Object.keys(t)).toEqual(['shape', 'segmentation', 'depth', 'normals']);
    expect(t.shape?.accuracy).toBe(r.testAccuracy.shape);
    expect(Object.keys(r.testAccuracy)).toEqual(['shape']);
    expect(t.segmentation?.meanIoU).toBeGreaterThan(0);
    expect(t.segmentation?.pixelAccuracy).toBeLessThanOrEqual(1);
    expect(t.depth?.relativeError).toBeGreaterThan(0);
    expect(t.depth?.absoluteError).toBeLessThan(100);
    expect(t.normals?.meanAngleDegrees).toBeGreaterThan(0);
    expect(t.normals?.meanAngleDegrees).toBeLessThan(90);
    expect(t.normals?.within11_25).toBeLessThanOrEqual(t.normals?.within30 as number);
    m.dispose();
  }, 120_000);

  it('delta-m: 0 against itself, positive when every metric is better, errors count the other way', () => {
    const single = { depth: { relativeError: 0.1, absoluteError: 0.5 }, segmentation: { meanIoU: 0.8, pixelAccuracy: 0.9 } };
    expect(deltaM(single, single).value).toBe(0);
    const better = { depth: { relativeError: 0.05, absoluteError: 0.25 }, segmentation: { meanIoU: 0.88, pixelAccuracy: 0.99 } };
    const d = deltaM(better, single);
    expect(d.metrics).toBe(4);
    expect(d.value).toBeCloseTo((50 + 50 + 10 + 10) / 4, 10);
    expect(deltaM(single, better).value).toBeLessThan(0);
    expect(() => deltaM(single, { normals: { meanAngleDegrees: 10 } })).toThrow(/no task 'normals'/);
  });
});
