import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataError, loadDataset, type Dataset } from '@mtl-split/data';
import {
  buildModel,
  formatSplitTable,
  getBackbone,
  checkWeighting,
  ModelError,
  saveBundle,
  calibrationBatch,
  trainModel,
  type MtlNet,
  type TrainingRecord,
} from '@mtl-split/model';
import { initRuntime } from '@mtl-split/runtime';
import { formatAccuracy, TrainProgress } from './progress.js';
import { UsageError, type TrainCliOptions } from './options.js';

export interface RunContext {
  command: string;
  /** Set by the SIGINT handler; training stops at the next step and nothing is written. */
  interrupted: () => boolean;
  log: (line: string) => void;
}

/** Everything checked before any training starts; errors here are usage errors (exit 2). */
export function prepare(o: TrainCliOptions): { dataset: Dataset; datasetOptions: Record<string, unknown>; tasks: string[] } {
  const datasetOptions: Record<string, unknown> = { ...o.datasetOptions };
  if (o.dataset === 'multimnist') {
    if (o.trainSize !== null) datasetOptions.trainSize = o.trainSize;
    if (o.testSize !== null) datasetOptions.testSize = o.testSize;
  }
  let dataset: Dataset;
  try {
    dataset = loadDataset(o.dataset, datasetOptions);
  } catch (err) {
    if (err instanceof DataError) throw new UsageError(err.message);
    throw err;
  }
  const valid = dataset.tasks.map((t) => t.name);
  const tasks = o.tasks ?? valid;
  for (const t of tasks) {
    if (!valid.includes(t)) throw new UsageError(`unknown task '${t}' for dataset ${o.dataset}: valid tasks are ${valid.join(', ')}`);
  }
  try {
    getBackbone(o.backbone);
    checkWeighting(o.weighting, tasks.length, o.weights);
  } catch (err) {
    if (err instanceof ModelError) throw new UsageError(err.message);
    throw err;
  }
  if (existsSync(resolve(o.out)) && !o.force) throw new UsageError(`output '${o.out}' already exists (use --force to replace it)`);
  return { dataset, datasetOptions, tasks };
}

/** Builds the model (needs the runtime); a bad split point or backbone config is a usage error. */
export function makeModel(o: TrainCliOptions, dataset: Dataset, tasks: string[]): MtlNet {
  let model: MtlNet;
  try {
    model = buildModel({
      backbone: o.backbone,
      backboneConfig: o.backboneConfig,
      inputShape: dataset.inputShape,
      tasks: dataset.tasks.filter((t) => tasks.includes(t.name)).sort((a, b) => tasks.indexOf(a.name) - tasks.indexOf(b.name)),
      head: { hidden: o.hidden },
      bottleneck: o.bottleneck,
      seed: o.seed,
    });
  } catch (err) {
    if (err instanceof ModelError) throw new UsageError(err.message);
    throw err;
  }
  return model;
}

/** Trains and writes the bundle; returns false when interrupted (nothing written). */
export async function run(o: TrainCliOptions, ctx: RunContext): Promise<boolean> {
  // Validate before initialising the runtime so bad input fails fast and writes nothing.
  const { dataset, datasetOptions, tasks } = prepare(o);
  const info = await initRuntime();
  ctx.log(`backend: ${info.backend}`);
  const model = makeModel(o, dataset, tasks);
  ctx.log(
    `dataset ${dataset.name} [${dataset.inputShape.join('x')}] train ${dataset.size('train')} test ${dataset.size('test')}; tasks ${tasks.join(', ')}`,
  );
  ctx.log(
    `model ${model.backbone} ${JSON.stringify(model.config.backboneConfig)}${o.bottleneck ? ` bottleneck ${o.bottleneck.point}:${o.bottleneck.channels}` : ''}, ${model.paramCount} parameters`,
  );
  ctx.log(formatSplitTable(model.splitPoints));
  const progress = new TrainProgress(o.progress, o.epochs);
  const result = await trainModel(model, dataset, {
    epochs: o.epochs,
    batchSize: o.batch,
    lr: o.lr,
    lrSchedule: o.lrSchedule,
    seed: o.seed,
    weighting: o.weighting as 'equal' | 'fixed' | 'uncertainty',
    weights: o.weights,
    workers: o.workers,
    trainLimit: o.dataset === 'multimnist' ? undefined : (o.trainSize ?? undefined),
    testLimit: o.dataset === 'multimnist' ? undefined : (o.testSize ?? undefined),
    onStep: (s) => progress.step(s),
    onEpoch: (e) => {
      progress.stop();
      ctx.log(
        `epoch ${e.epoch}/${o.epochs}: loss ${e.loss.toFixed(4)}, mean lr ${e.lr.toPrecision(3)}, ${e.seconds.toFixed(1)} s, test accuracy ${formatAccuracy(e.testAccuracy)}`,
      );
    },
    shouldStop: ctx.interrupted,
  });
  progress.stop();
  if (result.stopped || ctx.interrupted()) {
    model.dispose();
    return false;
  }
  const training: TrainingRecord = {
    command: ctx.command,
    options: {
      tasks,
      weighting: o.weighting as 'equal' | 'fixed' | 'uncertainty',
      weights: o.weights,
      lr: o.lr,
      lrSchedule: o.lrSchedule,
      batchSize: o.batch,
      epochs: o.epochs,
      seed: o.seed,
      workers: o.workers,
      trainSamples: result.trainSamples,
      testSamples: result.testSamples,
    },
    metrics: { epochs: result.epochs, testAccuracy: result.testAccuracy, logVars: result.logVars, seconds: result.seconds },
  };
  const manifest = await saveBundle(o.out, model, {
    dataset: { name: dataset.name, options: datasetOptions },
    training,
    backend: info.backend,
    overwrite: o.force,
    // each split point's value range over the first test samples: the cloud refuses frames far outside it
    calibration: calibrationBatch(dataset),
  });
  ctx.log(
    `wrote ${o.out} (${manifest.weights.bytes} bytes of weights, ${Math.round(result.seconds)} s of training): test accuracy ${formatAccuracy(result.testAccuracy)}`,
  );
  model.dispose();
  return true;
}
