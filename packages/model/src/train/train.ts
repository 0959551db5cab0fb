import { tf } from '@mtl-split/runtime';
import type { Dataset } from '@mtl-split/data';
import type { EpochRecord } from '../bundle/manifest.js';
import { ModelError } from '../errors.js';
import type { MtlNet } from '../model.js';
import { applyBatchNormUpdates, type BatchNormUpdate } from '../layers.js';
import { makeRng } from '../rng.js';
import { evaluate } from './evaluate.js';
import { learningRate, type LrSchedule } from './schedule.js';
import { makeWeighting, type Weighting } from './weighting.js';

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
  /** Running training accuracy per task this epoch. */
  accuracy: Record<string, number>;
}

export interface TrainResult {
  epochs: EpochRecord[];
  testAccuracy: Record<string, number>;
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
  const known = dataset.tasks.map((t) => t.name);
  for (const t of model.tasks) {
    if (!known.includes(t.name)) throw new ModelError(`task '${t.name}' is not in dataset ${dataset.name}: valid tasks are ${known.join(', ')}`);
  }
  const [h, w, c] = model.inputShape;
  const ds = dataset.inputShape;
  if (ds[0] !== h || ds[1] !== w || ds[2] !== c) {
    throw new ModelError(`dataset input shape [${ds.join(',')}] does not match the model's [${model.inputShape.join(',')}]`);
  }
  const weighting = makeWeighting(opts.weighting ?? 'equal', model.tasks.length, opts.weights);
  const optimizer = new Adam(opts.lr, 0.9, 0.999, 1e-7);
  const varList = [...model.variables(), ...weighting.variables];
  const rng = makeRng(opts.seed);
  const nextSeed = (): number => rng.int();
  const trainSamples = Math.min(dataset.size('train'), opts.trainLimit ?? Infinity);
  const testSamples = Math.min(dataset.size('test'), opts.testLimit ?? Infinity);
  const steps = Math.ceil(trainSamples / opts.batchSize);
  const started = Date.now();
  const epochs: EpochRecord[] = [];
  let testAccuracy: Record<string, number> = {};
  let stopped = false;
  try {
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
      const batches = dataset.batches('train', opts.batchSize, { shuffle: true, seed: opts.seed * 1000 + epoch, limit: trainSamples });
      for (const b of batches) {
        if (opts.shouldStop?.()) {
          stopped = true;
          break;
        }
        const stepLr = lrAt(step);
        lrSum += stepLr;
        optimizer.setLearningRate(stepLr);
        let stats: tf.Tensor | undefined;
        const bnUpdates: BatchNormUpdate[] = [];
        tf.tidy(() => {
          const x = tf.tensor4d(b.x, [b.n, h, w, c]);
          const labels = model.tasks.map((t) => tf.tensor1d(b.labels[t.name], 'int32'));
          optimizer.minimize(
            () => {
              const out = model.forward(x, { training: true, nextSeed, bnUpdates });
              const losses = model.heads.map((hd, i) => hd.loss(out[hd.task], labels[i]));
              const total = weighting.combine(losses);
              const hits = model.tasks.map((t, i) =>
                tf.sum(tf.cast(tf.equal(tf.argMax(out[t.name], 1), labels[i]), 'float32')),
              );
              stats = tf.keep(tf.stack([total, ...losses, ...hits]));
              return total;
            },
            false,
            varList,
          );
        });
        applyBatchNormUpdates(bnUpdates);
        const s = (stats as tf.Tensor).dataSync();
        (stats as tf.Tensor).dispose();
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
          accuracy: Object.fromEntries(model.tasks.map((t, i) => [t.name, correct[i] / seen])),
        });
        await new Promise((r) => setImmediate(r));
      }
      if (stopped) break;
      testAccuracy = await evaluate(model, dataset, 'test', { limit: testSamples });
      const record: EpochRecord = {
        epoch,
        loss: lossSum / Math.max(seen, 1),
        taskLoss: Object.fromEntries(model.tasks.map((t, i) => [t.name, taskLossSum[i] / Math.max(seen, 1)])),
        trainAccuracy: Object.fromEntries(model.tasks.map((t, i) => [t.name, correct[i] / Math.max(seen, 1)])),
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
      logVars: lv ? Object.fromEntries(model.tasks.map((t, i) => [t.name, lv[i]])) : null,
      seconds: (Date.now() - started) / 1000,
      stopped,
      trainSamples,
      testSamples,
    };
  } finally {
    optimizer.dispose();
    weighting.dispose();
  }
}
