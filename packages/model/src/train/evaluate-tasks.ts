import type { Dataset, SplitName } from '@mtl-split/data';
import { tf } from '@mtl-split/runtime';
import type { MtlNet } from '../model.js';
import { taskBatches } from './batches.js';
import { taskMeter, type TaskMeter } from './task-meters.js';

/** Metrics of each task by name: the literature's for its kind (see task-meters.ts for the keys). */
export type TaskMetrics = Record<string, Record<string, number>>;

/**
 * Adds one batch's outputs (every task's, by name, as the model gives them) to the tasks' meters (in the
 * model's task order): class indices by argmax for the meters that take them, raw values for the others.
 */
export function addOutputs(
  model: MtlNet,
  meters: readonly TaskMeter[],
  out: Record<string, tf.Tensor>,
  targets: readonly ArrayLike<number>[],
  n: number,
): void {
  model.tasks.forEach((t, i) => {
    const meter = meters[i] as TaskMeter;
    const y = out[t.name] as tf.Tensor;
    const p = meter.argmax ? tf.argMax(y, y.rank - 1) : y;
    meter.add(p.dataSync() as ArrayLike<number>, targets[i] as ArrayLike<number>, n);
    if (p !== y) p.dispose();
  });
}

/**
 * The model on a dataset split (inference mode): every task's metrics (classification accuracy;
 * segmentation mIoU and pixel accuracy; depth absolute, relative and RMS error; normals angular errors)
 * and, for the classification tasks, the accuracy alone (as epochs record it).
 */
export async function evaluateTasks(
  model: MtlNet,
  dataset: Dataset,
  split: SplitName,
  opts: { batchSize?: number; limit?: number } = {},
): Promise<{ accuracy: Record<string, number>; metrics: TaskMetrics }> {
  const [h, w, c] = model.inputShape;
  const meters = model.tasks.map((t) => taskMeter(model, t.name));
  for (const b of taskBatches(model, dataset, split, opts.batchSize ?? 64, { limit: opts.limit })) {
    const out = tf.tidy(() => {
      const x = tf.tensor4d(b.x, [b.n, h, w, c]);
      return model.isFlow ? model.outputs(x, { training: false }) : model.forward(x, { training: false });
    });
    addOutputs(model, meters, out, b.targets, b.n);
    tf.dispose(Object.values(out));
    await new Promise((r) => setImmediate(r));
  }
  const metrics: TaskMetrics = {};
  const accuracy: Record<string, number> = {};
  model.tasks.forEach((t, i) => {
    metrics[t.name] = (meters[i] as TaskMeter).scores();
    const a = metrics[t.name]?.accuracy;
    if (a !== undefined) accuracy[t.name] = a;
  });
  return { accuracy, metrics };
}
