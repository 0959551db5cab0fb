import { tf } from '@mtl-split/runtime';
import type { BatchNormUpdate } from '../layers.js';
import type { MtlNet } from '../model.js';
import type { LossWeighting } from './weighting.js';

/** A task's target values for n samples: class indices (classification), or maps [n, H, W, C] row-major. */
export type TaskTarget = Int32Array | Float32Array;

/** Every task's output for x in training mode (flow models: the decoders' maps too). */
function trainOutputs(model: MtlNet, x: tf.Tensor4D, ctx: { nextSeed: () => number; bnUpdates: BatchNormUpdate[] }) {
  const c = { training: true, nextSeed: ctx.nextSeed, bnUpdates: ctx.bnUpdates };
  return model.isFlow ? model.outputs(x, c) : model.forward(x, c);
}

/** The target tensor of one task: [n] int32 labels, or a map [n, H, W, C] (class maps int32, else float32). */
function targetTensor(model: MtlNet, i: number, data: TaskTarget, n: number): tf.Tensor {
  const t = model.tasks[i];
  const dense = model.decoders.find((d) => d.task === t.name);
  if (!dense) return tf.tensor1d(data as Int32Array, 'int32');
  const [h, w] = model.inputShape;
  const c = data.length / (n * h * w);
  return tf.tensor4d(data, [n, h, w, c], data instanceof Int32Array ? 'int32' : 'float32');
}

/**
 * The training loss of one batch: per-task losses (classification cross-entropy, each dense task's own
 * loss) combined by the weighting, plus `stats` = [total, loss of each task..., correct answers of each
 * task...] (dense tasks: 0 correct answers) for progress and records. Called inside the gradient closure
 * of shardGradients.
 */
function batchLoss(
  model: MtlNet,
  weighting: LossWeighting,
  x: tf.Tensor4D,
  targets: tf.Tensor[],
  ctx: { nextSeed: () => number; bnUpdates: BatchNormUpdate[] },
): { total: tf.Scalar; stats: tf.Tensor1D } {
  const out = trainOutputs(model, x, ctx);
  const losses = model.tasks.map((t, i) => {
    const head = model.heads.find((h) => h.task === t.name);
    if (head) return head.loss(out[t.name] as tf.Tensor2D, targets[i] as tf.Tensor1D);
    const dense = model.decoders.find((d) => d.task === t.name);
    return (dense as NonNullable<typeof dense>).loss(out[t.name] as tf.Tensor4D, targets[i] as tf.Tensor);
  });
  const total = weighting.combine(losses);
  const hits = model.tasks.map((t, i) =>
    model.heads.some((h) => h.task === t.name)
      ? tf.sum(tf.cast(tf.equal(tf.argMax(out[t.name] as tf.Tensor, 1), targets[i] as tf.Tensor), 'float32'))
      : tf.scalar(0),
  );
  return { total, stats: tf.stack([total, ...losses, ...hits]) as tf.Tensor1D };
}

/** One shard of a batch: samples [n, ...inputShape] row-major and the target of each task (model task order). */
export interface Shard {
  x: Float32Array;
  n: number;
  labels: TaskTarget[];
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
    const targets = shard.labels.map((l, i) => targetTensor(model, i, l, shard.n));
    const { grads: named } = tf.variableGrads(() => {
      const r = batchLoss(model, weighting, x, targets, { nextSeed, bnUpdates });
      stats = tf.keep(r.stats);
      return r.total;
    }, varList);
    return varList.map((v) => named[v.name]);
  });
  const s = (stats as tf.Tensor).dataSync() as Float32Array;
  (stats as tf.Tensor).dispose();
  return { grads, stats: s.slice() };
}
