import { tf } from '@mtl-split/runtime';
import type { Dataset } from '@mtl-split/data';
import type { EpochRecord } from '../bundle/manifest.js';
import { ModelError } from '../errors.js';
import type { MtlNet } from '../model.js';
import { applyBatchNormUpdates, type BatchNormUpdate } from '../layers.js';
import { makeRng, type Rng } from '../rng.js';
import { checkDatasetTasks, type TaskBatch, taskBatches } from './batches.js';
import { initDenseBiases } from './init-biases.js';
import { evaluateTasks, type TaskMetrics } from './evaluate-tasks.js';
import { shardGradients, type Shard } from './loss.js';
import { GradientWorkers, MAX_WORKERS } from './parallel.js';
import { learningRate, type LrSchedule } from './schedule.js';
import { makeWeighting, type LossWeighting, type Weighting } from './weighting.js';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  /** Seeds shuffling and dropout (weights are seeded by the model config). */
  seed: number;
  weighting?: Weighting;
  /** Per-task weights for `fixed`, in the model's task order. */
  weights?: number[] | null;
  /** Default `step`: divides the learning rate by 10 at half the epochs (the paper's StepLR). */
  lrSchedule?: LrSchedule;
  /** Use at most this many training / test samples per epoch. */
  trainLimit?: number;
  testLimit?: number;
  /**
   * Threads computing gradients (default 1). With n > 1, each batch is cut into n contiguous shards; the
   * main thread and n - 1 worker threads compute their shards' gradients at the same time, and the main
   * thread averages them (weighted by shard size) and runs Adam. Batch-norm statistics are per shard (the
   * moving averages follow the main thread's shard), so results differ slightly from n = 1; deterministic
   * for a given n, seed and backend.
   */
  workers?: number;
  onStep?(info: StepInfo): void;
  onEpoch?(record: EpochRecord): void;
  /** Polled between steps; returning true stops training early (result.stopped). */
  shouldStop?(): boolean;
}

export interface StepInfo {
  epoch: number;
  step: number;
  steps: number;
  /** Running mean training loss this epoch. */
  loss: number;
  /** Running training accuracy per classification task this epoch. */
  accuracy: Record<string, number>;
  /** Running mean loss of each task this epoch. */
  taskLoss: Record<string, number>;
}

export interface TrainResult {
  epochs: EpochRecord[];
  /** Test accuracy of the classification tasks (dense tasks: not in it). */
  testAccuracy: Record<string, number>;
  /** The literature's metrics of every task on the test split (after the last epoch). */
  testMetrics: TaskMetrics;
  logVars: Record<string, number> | null;
  seconds: number;
  stopped: boolean;
  trainSamples: number;
  testSamples: number;
}

class Adam extends tf.AdamOptimizer {
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

/**
 * Trains all heads of `model` jointly on `dataset` (labels of every model task must be in the
 * dataset): per-task cross-entropy combined by the weighting, Adam, per-task test accuracy after
 * each epoch. Deterministic for a given seed and backend.
 */
export async function trainModel(model: MtlNet, dataset: Dataset, opts: TrainOptions): Promise<TrainResult> {
  checkDatasetTasks(model, dataset);
  const [h, w, c] = model.inputShape;
  const ds = dataset.inputShape;
  if (ds[0] !== h || ds[1] !== w || ds[2] !== c) {
    throw new ModelError(`dataset input shape [${ds.join(',')}] does not match the model's [${model.inputShape.join(',')}]`);
  }
  const threads = opts.workers ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WORKERS) {
    throw new ModelError(`workers must be an integer in 1..${MAX_WORKERS}, got ${threads}`);
  }
  const weighting = makeWeighting(opts.weighting ?? 'equal', model.tasks.length, opts.weights);
  const optimizer = new Adam(opts.lr, 0.9, 0.999, 1e-7);
  const varList = [...model.variables(), ...weighting.variables];
  const rng = makeRng(opts.seed);
  const trainSamples = Math.min(dataset.size('train'), opts.trainLimit ?? Infinity);
  const testSamples = Math.min(dataset.size('test'), opts.testLimit ?? Infinity);
  const steps = Math.ceil(trainSamples / opts.batchSize);
  if (model.decoders.length) {
    const first = taskBatches(model, dataset, 'train', opts.batchSize, { limit: Math.min(opts.batchSize, trainSamples) }).next();
    if (!first.done) initDenseBiases(model, first.value);
  }
  const started = Date.now();
  const epochs: EpochRecord[] = [];
  let testAccuracy: Record<string, number> = {};
  let testMetrics: TaskMetrics = {};
  let stopped = false;
  let pool: GradientWorkers | undefined;
  try {
    if (threads > 1) {
      pool = await GradientWorkers.start(threads - 1, {
        backend: tf.getBackend(),
        config: model.config,
        weighting: { kind: weighting.kind, weights: opts.weights ?? null },
        weights: readWeights(varList),
      });
    }
    for (let epoch = 1; epoch <= opts.epochs && !stopped; epoch++) {
      const schedule = opts.lrSchedule ?? 'step';
      const lrAt = (step: number): number =>
        learningRate(schedule, opts.lr, { epoch, epochs: opts.epochs, step: (epoch - 1) * steps + step, totalSteps: opts.epochs * steps });
      let lrSum = 0;
      const epochStart = Date.now();
      let lossSum = 0;
      const taskLossSum = new Array<number>(model.tasks.length).fill(0);
      const correct = new Array<number>(model.tasks.length).fill(0);
      let seen = 0;
      let step = 0;
      const batches = taskBatches(model, dataset, 'train', opts.batchSize, {
        shuffle: true,
        seed: opts.seed * 1000 + epoch,
        limit: trainSamples,
        epoch,
      });
      for (const b of batches) {
        if (opts.shouldStop?.()) {
          stopped = true;
          break;
        }
        const stepLr = lrAt(step);
        lrSum += stepLr;
        optimizer.setLearningRate(stepLr);
        const s = await trainStep(pool, { model, weighting, varList, optimizer, rng }, b);
        if (!Number.isFinite(s[0])) throw new ModelError(`training diverged: loss is ${s[0]} at epoch ${epoch} step ${step + 1}`);
        step++;
        seen += b.n;
        lossSum += s[0] * b.n;
        model.tasks.forEach((_, i) => {
          taskLossSum[i] += s[1 + i] * b.n;
          correct[i] += s[1 + model.tasks.length + i];
        });
        opts.onStep?.({
          epoch,
          step,
          steps,
          loss: lossSum / seen,
          accuracy: classAccuracy(model, correct, seen),
          taskLoss: Object.fromEntries(model.tasks.map((t, i) => [t.name, (taskLossSum[i] as number) / seen])),
        });
        await new Promise((r) => setImmediate(r));
      }
      if (stopped) break;
      const scored = await evaluateTasks(model, dataset, 'test', { limit: testSamples });
      testAccuracy = scored.accuracy;
      testMetrics = scored.metrics;
      const record: EpochRecord = {
        epoch,
        loss: lossSum / Math.max(seen, 1),
        taskLoss: Object.fromEntries(model.tasks.map((t, i) => [t.name, taskLossSum[i] / Math.max(seen, 1)])),
        trainAccuracy: classAccuracy(model, correct, Math.max(seen, 1)),
        testAccuracy,
        lr: step ? lrSum / step : lrAt(0),
        seconds: (Date.now() - epochStart) / 1000,
      };
      epochs.push(record);
      opts.onEpoch?.(record);
      if (opts.shouldStop?.()) stopped = true;
    }
    const lv = weighting.logVars();
    return {
      epochs,
      testAccuracy,
      testMetrics,
      logVars: lv ? Object.fromEntries(model.tasks.map((t, i) => [t.name, lv[i]])) : null,
      seconds: (Date.now() - started) / 1000,
      stopped,
      trainSamples,
      testSamples,
    };
  } finally {
    await pool?.close();
    optimizer.dispose();
    weighting.dispose();
  }
}

/** Accuracy of each classification task from its correct answers (dense tasks have none). */
function classAccuracy(model: MtlNet, correct: number[], seen: number): Record<string, number> {
  const cls = new Set(model.heads.map((h) => h.task));
  return Object.fromEntries(model.tasks.flatMap((t, i) => (cls.has(t.name) ? [[t.name, correct[i] / seen]] : [])));
}

/** The variables' current values, in order (read only: they are cloned into the workers' messages). */
function readWeights(varList: tf.Variable[]): Float32Array[] {
  return varList.map((v) => v.dataSync() as Float32Array);
}

interface StepContext {
  model: MtlNet;
  weighting: LossWeighting;
  varList: tf.Variable[];
  optimizer: tf.Optimizer;
  rng: Rng;
}

/**
 * One training step; returns the batch's stats. Without workers the whole batch is one shard whose dropout
 * draws from the training rng. With workers, the batch is cut into contiguous shards (one per thread), each
 * with its own dropout seed: the first is computed here while the workers compute the others with the
 * current weights, and the gradients are averaged weighted by shard size (= the gradient of the whole
 * batch's mean loss) before Adam applies them. Batch-norm moving averages follow the first shard.
 */
async function trainStep(pool: GradientWorkers | undefined, ctx: StepContext, b: TaskBatch): Promise<Float32Array> {
  const { model, varList } = ctx;
  const len = model.inputShape.reduce((a, d) => a * d, 1);
  const parts = pool ? Math.min(pool.size + 1, b.n) : 1;
  const shards: Shard[] = [];
  for (let k = 0; k < parts; k++) {
    const a = Math.floor((k * b.n) / parts);
    const e = Math.floor(((k + 1) * b.n) / parts);
    const whole = parts === 1;
    shards.push({
      x: whole ? b.x : b.x.slice(a * len, e * len),
      n: e - a,
      labels: b.targets.map((l) => (whole ? l : l.slice((a * l.length) / b.n, (e * l.length) / b.n))),
      seed: pool ? ctx.rng.int() : 0,
    });
  }
  const remote = pool?.step(shards.slice(1), readWeights(varList));
  const bnUpdates: BatchNormUpdate[] = [];
  const shardRng = pool ? makeRng(shards[0].seed) : ctx.rng;
  let mine: { grads: tf.Tensor[]; stats: Float32Array };
  try {
    mine = shardGradients(model, ctx.weighting, varList, shards[0], () => shardRng.int(), bnUpdates);
  } catch (err) {
    await remote?.catch(() => undefined);
    throw err;
  }
  let others: { grads: Float32Array[]; stats: Float32Array }[] = [];
  try {
    if (remote) others = await remote;
  } catch (err) {
    tf.dispose(mine.grads);
    throw err;
  }
  const named: tf.NamedTensorMap = {};
  if (others.length === 0) {
    varList.forEach((v, i) => (named[v.name] = mine.grads[i]));
  } else {
    // average in plain arrays (a few hundred thousand floats: cheaper than a tfjs op per variable and shard)
    const f0 = shards[0].n / b.n;
    varList.forEach((v, i) => {
      const acc = (mine.grads[i].dataSync() as Float32Array).slice();
      for (let j = 0; j < acc.length; j++) acc[j] *= f0;
      others.forEach((o, k) => {
        const f = shards[k + 1].n / b.n;
        const g = o.grads[i];
        for (let j = 0; j < acc.length; j++) acc[j] += g[j] * f;
      });
      named[v.name] = tf.tensor(acc, v.shape);
    });
    tf.dispose(mine.grads);
  }
  ctx.optimizer.applyGradients(named);
  tf.dispose(Object.values(named));
  applyBatchNormUpdates(bnUpdates);
  if (others.length === 0) return mine.stats;
  const tasks = model.tasks.length;
  const s = new Float32Array(1 + 2 * tasks);
  [mine.stats, ...others.map((o) => o.stats)].forEach((st, k) => {
    const f = shards[k].n / b.n;
    for (let j = 0; j <= tasks; j++) s[j] += st[j] * f;
    for (let j = 1 + tasks; j < 1 + 2 * tasks; j++) s[j] += st[j];
  });
  return s;
}
