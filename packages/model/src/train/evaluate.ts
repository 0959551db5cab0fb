import { tf } from '@mtl-split/runtime';
import type { Dataset, SplitName } from '@mtl-split/data';
import type { MtlNet } from '../model.js';

/** Accuracy per task of the model on a dataset split (inference mode). */
export async function evaluate(
  model: MtlNet,
  dataset: Dataset,
  split: SplitName,
  opts: { batchSize?: number; limit?: number } = {},
): Promise<Record<string, number>> {
  const [h, w, c] = model.inputShape;
  const correct: Record<string, number> = {};
  for (const t of model.tasks) correct[t.name] = 0;
  let total = 0;
  for (const b of dataset.batches(split, opts.batchSize ?? 256, { limit: opts.limit })) {
    const counts = tf.tidy(() => {
      const x = tf.tensor4d(b.x, [b.n, h, w, c]);
      const out = model.forward(x, { training: false });
      return model.tasks.map((t) => tf.sum(tf.cast(tf.equal(tf.argMax(out[t.name], 1), tf.tensor1d(b.labels[t.name], 'int32')), 'int32')));
    });
    model.tasks.forEach((t, i) => {
      correct[t.name] += counts[i].dataSync()[0];
      counts[i].dispose();
    });
    total += b.n;
    await new Promise((r) => setImmediate(r));
  }
  const acc: Record<string, number> = {};
  for (const t of model.tasks) acc[t.name] = total ? correct[t.name] / total : 0;
  return acc;
}
