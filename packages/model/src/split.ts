import { tf } from '@mtl-split/runtime';
import { ModelError } from './errors.js';
import { MtlNet } from './model.js';
import type { ApplyContext, ConvFolding } from './layers.js';
import type { MtlModel, SplitModel } from './types.js';

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
