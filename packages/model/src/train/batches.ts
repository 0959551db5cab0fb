import { type BatchOptions, type Dataset, isDenseDataset, type SplitName } from '@mtl-split/data';
import { ModelError } from '../errors.js';
import type { MtlNet } from '../model.js';
import { DENSE_TASK_NAMES, denseTaskSource } from './dense-tasks.js';
import type { TaskTarget } from './loss.js';

/** A batch as training and evaluation take it: images NHWC and every model task's target (model task order). */
export interface TaskBatch {
  x: Float32Array;
  n: number;
  targets: TaskTarget[];
}

/** The task names a dataset can train: its per-image tasks, and the dense tasks of its label maps. */
export function datasetTaskNames(dataset: Dataset): string[] {
  return [...dataset.tasks.map((t) => t.name), ...(isDenseDataset(dataset) ? DENSE_TASK_NAMES : [])];
}

/** Throws ModelError naming every model task the dataset has no labels for. */
export function checkDatasetTasks(model: MtlNet, dataset: Dataset): void {
  const known = datasetTaskNames(dataset);
  const missing = model.tasks.filter((t) => !known.includes(t.name)).map((t) => `'${t.name}'`);
  if (missing.length) {
    const which = missing.length > 1 ? `tasks ${missing.join(', ')} are` : `task ${missing[0]} is`;
    throw new ModelError(`${which} not in dataset ${dataset.name}: valid tasks are ${known.join(', ')}`);
  }
}

/** Batches of `split` with the targets of every task of `model` (dense label maps only when a task needs them). */
export function* taskBatches(
  model: MtlNet,
  dataset: Dataset,
  split: SplitName,
  batchSize: number,
  opts: BatchOptions,
): Generator<TaskBatch> {
  const dense = model.tasks.map((t) => denseTaskSource(t.name));
  if (!dense.some(Boolean) || !isDenseDataset(dataset)) {
    for (const b of dataset.batches(split, batchSize, opts)) yield { x: b.x, n: b.n, targets: model.tasks.map((t) => b.labels[t.name]) };
    return;
  }
  for (const b of dataset.denseBatches(split, batchSize, opts)) {
    yield { x: b.x, n: b.n, targets: model.tasks.map((t, i) => dense[i]?.target(b) ?? b.labels[t.name]) };
  }
}
