import type { Dataset, SplitName } from '@mtl-split/data';
import { tf } from '@mtl-split/runtime';
import type { MtlNet } from '../model.js';
import { taskBatches } from './batches.js';
import { taskMeter, type TaskMeter } from './task-meters.js';

/** Metrics of each task by name: the literature's for its kind (see task-meters.ts for the keys). */
export type TaskMetrics = Record<string, Record<string, number>>;

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
    const preds = tf.tidy(() => {
      const x = tf.tensor4d(b.x, [b.n, h, w, c]);
      const out = model.isFlow ? model.outputs(x, { training: false }) : model.forward(x, { training: false });
      return model.tasks.map((t, i) => {
        const y = out[t.name] as tf.Tensor;
        return (meters[i] as TaskMeter).argmax ? tf.argMax(y, y.rank - 1) : y;
      });
    });
    model.tasks.forEach((_, i) => {
      (meters[i] as TaskMeter).add(preds[i]?.dataSync() as ArrayLike<number>, b.targets[i] as ArrayLike<number>, b.n);
    });
    tf.dispose(preds);
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
