import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataError, isDenseDataset, loadDataset, type Dataset } from '@mtl-split/data';
import {
  buildModel,
  formatSplitTable,
  getBackbone,
  checkWeighting,
  ModelError,
  saveBundle,
  calibrationBatch,
  datasetTaskNames,
  denseTaskSpecs,
  trainModel,
  type TaskSpec,
  type MtlNet,
  type TrainingRecord,
} from '@mtl-split/model';
import { initRuntime } from '@mtl-split/runtime';
import { deltaMRecord, readBaselines } from './baselines.js';
import { formatAccuracy, formatMetrics, TrainProgress } from './progress.js';
import { UsageError, type TrainCliOptions } from './options.js';

export interface RunContext {
  command: string;
  /** Set by the SIGINT handler; training stops at the next step and nothing is written. */
  interrupted: () => boolean;
  log: (line: string) => void;
}

/** Everything checked before any training starts; errors here are usage errors (exit 2). */
export function prepare(o: TrainCliOptions): {
  dataset: Dataset;
  datasetOptions: Record<string, unknown>;
  tasks: string[];
  baselines: ReturnType<typeof readBaselines> | null;
} {
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
  const valid = datasetTaskNames(dataset);
  // dense tasks need an encoder-decoder: by default a unet trains every task, other backbones the per-image ones
  const tasks = o.tasks ?? (o.backbone === 'unet' ? valid : dataset.tasks.map((t) => t.name));
  const unknown = tasks.filter((t) => !valid.includes(t));
  if (unknown.length) {
    throw new UsageError(
      `unknown task${unknown.length > 1 ? 's' : ''} '${unknown.join("', '")}' for dataset ${o.dataset}: valid tasks are ${valid.join(', ')}`,
    );
  }
  try {
    getBackbone(o.backbone);
    checkWeighting(o.weighting, tasks.length, o.weights);
  } catch (err) {
    if (err instanceof ModelError) throw new UsageError(err.message);
    throw err;
  }
  if (existsSync(resolve(o.out)) && !o.force) throw new UsageError(`output '${o.out}' already exists (use --force to replace it)`);
  const baselines = o.baselines.length ? readBaselines(o.baselines, tasks) : null;
  return { dataset, datasetOptions, tasks, baselines };
}

/** ', test accuracy ...' of the classification tasks; empty without any (dense tasks' metrics print after training). */
function testAccuracyText(acc: Record<string, number>): string {
  return Object.keys(acc).length ? `, test accuracy ${formatAccuracy(acc)}` : '';
}

/** Every task the dataset can train, as the model takes it (dense tasks with their kinds and outputs). */
function taskSpecs(dataset: Dataset): TaskSpec[] {
  return [...dataset.tasks, ...(isDenseDataset(dataset) ? denseTaskSpecs(dataset.dense) : [])];
}

/** Builds the model (needs the runtime); a bad split point or backbone config is a usage error. */
export function makeModel(o: TrainCliOptions, dataset: Dataset, tasks: string[]): MtlNet {
  let model: MtlNet;
  try {
    model = buildModel({
      backbone: o.backbone,
      backboneConfig: o.backboneConfig,
      inputShape: dataset.inputShape,
      tasks: taskSpecs(dataset)
        .filter((t) => tasks.includes(t.name))
        .sort((a, b) => tasks.indexOf(a.name) - tasks.indexOf(b.name)),
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
  const { dataset, datasetOptions, tasks, baselines } = prepare(o);
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
        `epoch ${e.epoch}/${o.epochs}: loss ${e.loss.toFixed(4)}, mean lr ${e.lr.toPrecision(3)}, ${e.seconds.toFixed(1)} s${testAccuracyText(e.testAccuracy)}`,
      );
    },
    shouldStop: ctx.interrupted,
  });
  progress.stop();
  if (result.stopped || ctx.interrupted()) {
    model.dispose();
    return false;
  }
  for (const line of formatMetrics(result.testMetrics)) ctx.log(`test ${line}`);
  const deltaM = deltaMRecord(result.testMetrics, baselines);
  if (deltaM)
    ctx.log(
      `delta-m against ${Object.keys(deltaM.baselines).join(', ')} single-task bundles: ${deltaM.value >= 0 ? '+' : ''}${deltaM.value.toFixed(2)}% (${deltaM.metrics} metrics; positive is better)`,
    );
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
    metrics: {
      epochs: result.epochs,
      testAccuracy: result.testAccuracy,
      testMetrics: result.testMetrics,
      ...(deltaM ? { deltaM } : {}),
      logVars: result.logVars,
      seconds: result.seconds,
    },
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
    `wrote ${o.out} (${manifest.weights.bytes} bytes of weights, ${Math.round(result.seconds)} s of training)${testAccuracyText(result.testAccuracy)}`,
  );
  model.dispose();
  return true;
}
