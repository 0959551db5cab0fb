import { tf } from '@mtl-split/runtime';
import type { BatchNormUpdate } from '../layers.js';
import type { MtlNet } from '../model.js';
import type { LossWeighting } from './weighting.js';

/**
 * The training loss of one batch: per-task losses combined by the weighting, plus
 * `stats` = [total, loss of each task..., correct answers of each task...] for progress and records.
 * Called inside the gradient closure of shardGradients.
 */
function batchLoss(
  model: MtlNet,
  weighting: LossWeighting,
  x: tf.Tensor4D,
  labels: tf.Tensor1D[],
  ctx: { nextSeed: () => number; bnUpdates: BatchNormUpdate[] },
): { total: tf.Scalar; stats: tf.Tensor1D } {
  const out = model.forward(x, { training: true, nextSeed: ctx.nextSeed, bnUpdates: ctx.bnUpdates });
  const losses = model.heads.map((hd, i) => hd.loss(out[hd.task], labels[i]));
  const total = weighting.combine(losses);
  const hits = model.tasks.map((t, i) => tf.sum(tf.cast(tf.equal(tf.argMax(out[t.name], 1), labels[i]), 'float32')));
  return { total, stats: tf.stack([total, ...losses, ...hits]) as tf.Tensor1D };
}

/** One shard of a batch: samples [n, ...inputShape] row-major and the label of each task (model task order). */
export interface Shard {
  x: Float32Array;
  n: number;
  labels: Int32Array[];
  /** Seeds the dropout of this shard. */
  seed: number;
}

/**
 * Gradients of the batch loss of `shard` with respect to `varList` (same order), and its stats.
 * The caller owns (and disposes) the gradient tensors.
 */
export function shardGradients(
  model: MtlNet,
  weighting: LossWeighting,
  varList: tf.Variable[],
  shard: Shard,
  nextSeed: () => number,
  bnUpdates: BatchNormUpdate[],
): { grads: tf.Tensor[]; stats: Float32Array } {
  const [h, w, c] = model.inputShape;
  let stats: tf.Tensor | undefined;
  const grads = tf.tidy(() => {
    const x = tf.tensor4d(shard.x, [shard.n, h, w, c]);
    const labels = shard.labels.map((l) => tf.tensor1d(l, 'int32'));
    const { grads: named } = tf.variableGrads(() => {
      const r = batchLoss(model, weighting, x, labels, { nextSeed, bnUpdates });
      stats = tf.keep(r.stats);
      return r.total;
    }, varList);
    return varList.map((v) => named[v.name]);
  });
  const s = (stats as tf.Tensor).dataSync() as Float32Array;
  (stats as tf.Tensor).dispose();
  return { grads, stats: s.slice() };
}
