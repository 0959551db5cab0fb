import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { buildModel, ModelError, trainModel, type MtlNet } from '../src/index.js';
import { quadrants, setup } from './helpers.js';

beforeAll(setup);

const ds = quadrants(192, 5);
/** No batch norm and no dropout: then a data-parallel step is exactly a full-batch step. */
const plain = (): MtlNet =>
  buildModel({
    backbone: 'resnet',
    backboneConfig: { stem: 4, stages: [8], batchNorm: false },
    inputShape: [8, 8, 1],
    tasks: ds.tasks,
    head: { hidden: 16, dropout: 0 },
    seed: 3,
  });
const withBn = (): MtlNet =>
  buildModel({
    backbone: 'resnet',
    backboneConfig: { stem: 4, stages: [8] },
    inputShape: [8, 8, 1],
    tasks: ds.tasks,
    head: { hidden: 16 },
    seed: 3,
  });

function weights(m: MtlNet): Float32Array[] {
  return m.params.map((p) => (p.v.dataSync() as Float32Array).slice());
}

function maxRelDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, i) => {
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j] - b[i][j]) / (Math.abs(b[i][j]) + 1e-3));
  });
  return worst;
}

describe('data-parallel training (workers > 1)', () => {
  it('without batch norm and dropout, 2 and 3 threads take the same steps as 1 (uneven shards included)', async () => {
    const runs = [];
    for (const workers of [1, 2, 3]) {
      const m = plain();
      // 50-sample batches: 3 threads get shards of 16, 17 and 17; the last batch of 42 is cut too
      const r = await trainModel(m, ds, { epochs: 1, batchSize: 50, lr: 3e-3, seed: 1, lrSchedule: 'constant', workers, trainLimit: 142 });
      runs.push({ w: weights(m), r });
      m.dispose();
    }
    const before = weights(plain());
    expect(maxRelDiff(runs[0].w, before)).toBeGreaterThan(1e-2); // training moved the weights
    for (const k of [1, 2]) {
      expect(maxRelDiff(runs[k].w, runs[0].w)).toBeLessThan(1e-4);
      expect(runs[k].r.epochs[0].loss).toBeCloseTo(runs[0].r.epochs[0].loss, 4);
      expect(runs[k].r.epochs[0].trainAccuracy).toEqual(runs[0].r.epochs[0].trainAccuracy);
    }
  }, 120_000);

  it('uncertainty weighting: the learned log-variances take the same steps on 2 threads as on 1', async () => {
    const runs = [];
    for (const workers of [1, 2]) {
      const m = plain();
      const r = await trainModel(m, ds, {
        epochs: 1,
        batchSize: 48,
        lr: 1e-2,
        seed: 2,
        lrSchedule: 'constant',
        weighting: 'uncertainty',
        workers,
      });
      runs.push({ w: weights(m), logVars: r.logVars });
      m.dispose();
    }
    expect(maxRelDiff(runs[1].w, runs[0].w)).toBeLessThan(1e-4);
    expect(Math.abs(runs[0].logVars!.quad)).toBeGreaterThan(1e-3);
    for (const t of ['quad', 'level']) expect(runs[1].logVars![t]).toBeCloseTo(runs[0].logVars![t], 5);
  }, 120_000);

  it('with batch norm: learns both tasks, is deterministic, leaks no tensors and stops its threads', async () => {
    const results = [];
    for (let i = 0; i < 2; i++) {
      const m = withBn();
      const before = tf.memory().numTensors;
      const r = await trainModel(m, ds, { epochs: 3, batchSize: 32, lr: 3e-3, seed: 1, lrSchedule: 'constant', workers: 2 });
      expect(tf.memory().numTensors).toBe(before);
      results.push({ w: weights(m), r });
      m.dispose();
    }
    const [a, b] = results;
    expect(a.r.epochs[2].loss).toBeLessThan(a.r.epochs[0].loss * 0.8);
    expect(a.r.testAccuracy.quad).toBeGreaterThan(0.6);
    expect(b.r.epochs.map((e) => e.loss)).toEqual(a.r.epochs.map((e) => e.loss));
    expect(maxRelDiff(b.w, a.w)).toBe(0);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker')).toEqual([]);
  }, 120_000);

  it('refuses a bad thread count', async () => {
    const m = plain();
    for (const workers of [0, 1.5, 17]) {
      await expect(trainModel(m, ds, { epochs: 1, batchSize: 32, lr: 1e-3, seed: 1, workers })).rejects.toThrow(ModelError);
    }
    await expect(trainModel(m, ds, { epochs: 1, batchSize: 32, lr: 1e-3, seed: 1, workers: 0 })).rejects.toThrow(
      /workers must be an integer in 1\.\.16, got 0/,
    );
    m.dispose();
  });
});
