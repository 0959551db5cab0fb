import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { loadDataset } from '@mtl-split/data';
import { buildModel, evaluate, makeWeighting, ModelError, trainModel } from '../src/index.js';
import { quadrants, setup } from './helpers.js';

beforeAll(setup);

const ds = quadrants(256, 3);
const model = (seed = 1, tasks = ds.tasks) =>
  buildModel({ backbone: 'resnet', backboneConfig: { stem: 4, stages: [8] }, inputShape: [8, 8, 1], tasks, head: { hidden: 16 }, seed });

describe('training', () => {
  it('a tiny run decreases the loss and learns both tasks, without leaking tensors', async () => {
    const m = model();
    const before = tf.memory().numTensors;
    const r = await trainModel(m, ds, { epochs: 4, batchSize: 32, lr: 3e-3, seed: 1, lrSchedule: 'constant' });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.epochs).toHaveLength(4);
    expect(r.epochs[3].loss).toBeLessThan(r.epochs[0].loss * 0.7);
    expect(r.testAccuracy.quad).toBeGreaterThan(0.6);
    expect(r.testAccuracy.level).toBeGreaterThan(0.6);
    expect(await evaluate(m, ds, 'test')).toEqual(r.testAccuracy);
    m.dispose();
  });

  it('is deterministic for a seed; another seed gives other weights', async () => {
    const run = async (seed: number): Promise<Float32Array> => {
      const m = model(seed);
      await trainModel(m, ds, { epochs: 1, batchSize: 64, lr: 1e-3, seed, trainLimit: 128, testLimit: 32 });
      const w = m.params[0].v.dataSync().slice();
      m.dispose();
      return w as Float32Array;
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('trains a single task (STL) from the same code', async () => {
    const m = model(1, [ds.tasks[1]]);
    const r = await trainModel(m, ds, { epochs: 1, batchSize: 64, lr: 1e-3, seed: 1 });
    expect(Object.keys(r.testAccuracy)).toEqual(['level']);
    m.dispose();
  });

  it('uncertainty weighting learns one log-variance per task', async () => {
    const m = model();
    const r = await trainModel(m, ds, { epochs: 2, batchSize: 32, lr: 1e-2, seed: 1, weighting: 'uncertainty' });
    expect(r.logVars).not.toBeNull();
    expect(Object.keys(r.logVars ?? {})).toEqual(['quad', 'level']);
    expect(Math.abs(r.logVars?.quad ?? 0)).toBeGreaterThan(1e-3);
    m.dispose();
  });

  it('stops early when asked', async () => {
    const m = model();
    let steps = 0;
    const r = await trainModel(m, ds, { epochs: 3, batchSize: 32, lr: 1e-3, seed: 1, onStep: () => steps++, shouldStop: () => steps >= 2 });
    expect(r.stopped).toBe(true);
    expect(steps).toBe(2);
    expect(r.epochs).toHaveLength(0);
    m.dispose();
  });

  it('rejects a task missing from the dataset, naming the valid tasks', async () => {
    const m = model(1, [{ name: 'colour', classes: ['r', 'g'] }]);
    await expect(trainModel(m, ds, { epochs: 1, batchSize: 8, lr: 1e-3, seed: 1 })).rejects.toThrow(
      /task 'colour' is not in dataset quadrants: valid tasks are quad, level/,
    );
    m.dispose();
  });

  it('trains on MultiMNIST batches from @mtl-split/data', async () => {
    const mm = loadDataset('multimnist', { trainSize: 64, testSize: 32 });
    const m = buildModel({
      backbone: 'vgg',
      backboneConfig: { stages: [4, 8] },
      inputShape: mm.inputShape,
      tasks: mm.tasks,
      head: { hidden: 8 },
    });
    const r = await trainModel(m, mm, { epochs: 1, batchSize: 32, lr: 1e-3, seed: 1 });
    expect(Object.keys(r.testAccuracy).sort()).toEqual(['left', 'right']);
    expect(r.trainSamples).toBe(64);
    m.dispose();
  });
});

describe('loss weighting', () => {
  const losses = (): tf.Scalar[] => [tf.scalar(2), tf.scalar(0.5)];

  it('equal: the plain sum', () => {
    const w = makeWeighting('equal', 2);
    expect(w.combine(losses()).dataSync()[0]).toBeCloseTo(2.5, 6);
    expect(w.variables).toHaveLength(0);
  });

  it('fixed: the weighted sum', () => {
    const w = makeWeighting('fixed', 2, [1, 4]);
    expect(w.combine(losses()).dataSync()[0]).toBeCloseTo(4, 6);
  });

  it('uncertainty: sum of exp(-s) L + s with learned s', () => {
    const w = makeWeighting('uncertainty', 2);
    expect(w.variables).toHaveLength(1);
    expect(w.combine(losses()).dataSync()[0]).toBeCloseTo(2.5, 6);
    w.variables[0].assign(tf.tensor1d([Math.log(2), -1]));
    expect(w.combine(losses()).dataSync()[0]).toBeCloseTo(2 / 2 + Math.log(2) + 0.5 * Math.E - 1, 5);
    w.dispose();
  });

  it('invalid weighting input: ModelError', () => {
    expect(() => makeWeighting('focal', 2)).toThrow(/unknown weighting 'focal': valid weightings are equal, fixed, uncertainty/);
    expect(() => makeWeighting('fixed', 2)).toThrow(/needs 2 weights/);
    expect(() => makeWeighting('fixed', 2, [1, -1])).toThrow(ModelError);
    expect(() => makeWeighting('equal', 2, [1, 1])).toThrow(/only used with weighting 'fixed'/);
  });
});
