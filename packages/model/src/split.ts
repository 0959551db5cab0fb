import { tf } from '@mtl-split/runtime';
import { ModelError } from './errors.js';
import { MtlNet } from './model.js';
import type { ApplyContext, ConvFolding } from './layers.js';
import type { MtlModel, SplitModel, TensorInfo } from './types.js';

export interface InferenceOptions {
  /**
   * Batch-norm-folded conv weights (a `FoldedConvs` of this model): each conv followed by batch norm
   * then runs as one fused conv. Default: conv, batch norm and activation as separate ops.
   */
  folded?: ConvFolding;
}

/**
 * Splits a model at a split point into an edge part (input -> tensor at the point) and a cloud
 * part (tensor -> logits per task). Both share the model's weights; both run in inference mode.
 */
export function split(model: MtlModel, point: string, opts: InferenceOptions = {}): SplitModel {
  if (!(model instanceof MtlNet)) throw new ModelError('split() needs a model built by @mtl-split/model');
  if (model.isFlow)
    throw new ModelError(`split() takes single-tensor models; '${model.backbone}' sends several tensors at its points: use splitFlow`);
  const i = model.pointIndex(point);
  const info = model.splitPoints[i];
  const n = model.blocks.length;
  const ctx: ApplyContext = { training: false, folded: opts.folded };
  return {
    point,
    edge(x) {
      model.checkInput(x);
      return tf.tidy(() => {
        const y = model.runBlocks(x, 0, i, ctx);
        return i === 0 ? tf.clone(y) : y;
      });
    },
    cloud(h) {
      const ok = h.rank === info.shape.length + 1 && info.shape.every((d, k) => h.shape[k + 1] === d);
      if (!ok) {
        throw new ModelError(`split tensor shape [${h.shape.join(',')}] does not match point '${point}' shape [n,${info.shape.join(',')}]`);
      }
      return tf.tidy(() => model.runHeads(model.runBlocks(h, i, n, ctx), ctx));
    },
  };
}

/** A split of any model by the tensors crossing the point (several for an encoder-decoder's skips). */
export interface FlowSplit {
  point: string;
  /** The crossing tensors, in wire order (per-sample shapes, NHWC). */
  tensors: TensorInfo[];
  /** Input -> the crossing tensors. */
  edge(x: tf.Tensor4D): tf.Tensor[];
  /** The crossing tensors -> every task's output (logits [n, classes]; dense maps [n, H, W, C]). */
  cloud(hs: tf.Tensor[]): Record<string, tf.Tensor>;
}

/** Splits any model at a point into edge and cloud halves over the list of crossing tensors (inference mode). */
export function splitFlow(model: MtlModel, point: string, opts: InferenceOptions = {}): FlowSplit {
  if (!(model instanceof MtlNet)) throw new ModelError('splitFlow() needs a model built by @mtl-split/model');
  const i = model.pointIndex(point);
  const info = model.splitPoints[i];
  const tensors: TensorInfo[] = info.tensors ?? [{ name: info.name, shape: [...info.shape], dtype: 'float32', layout: 'NHWC' }];
  const n = model.blocks.length;
  const ctx: ApplyContext = { training: false, folded: opts.folded };
  return {
    point,
    tensors,
    edge(x) {
      model.checkInput(x);
      return tf.tidy(() => model.runFlow([x], 0, i, ctx).map((y) => (i === 0 ? tf.clone(y) : y)));
    },
    cloud(hs) {
      const ok = hs.length === tensors.length && tensors.every((t, k) => sameShape(hs[k] as tf.Tensor, t.shape));
      if (!ok) {
        const got = hs.map((h) => `[${h.shape.join(',')}]`).join(', ');
        const want = tensors.map((t) => `${t.name} [n,${t.shape.join(',')}]`).join(', ');
        throw new ModelError(`split tensors ${got} do not match point '${point}': ${want}`);
      }
      return tf.tidy(() => model.runAllHeads(model.runFlow(hs, i, n, ctx), ctx));
    },
  };
}

const sameShape = (h: tf.Tensor, shape: number[]): boolean => h.rank === shape.length + 1 && shape.every((d, k) => h.shape[k + 1] === d);
