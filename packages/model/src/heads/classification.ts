import { tf } from '@mtl-split/runtime';
import { applyDense, dense, denseFlops, denseParams } from '../layers.js';
import { emitDense } from '../onnx/emit.js';
import type { HeadKind } from './types.js';

/** The paper's head: Dense(hidden) -> Dropout -> ReLU -> Dense(classes); softmax cross-entropy loss. */
export const classification: HeadKind = {
  name: 'classification',
  build(scope, task, inputs, outputs, cfg) {
    const s = scope.child(task);
    const fc1 = dense(s, 'fc1', inputs, cfg.hidden);
    const fc2 = dense(s, 'fc2', cfg.hidden, outputs, 0.5);
    return {
      task,
      outputs,
      params: denseParams(fc1) + denseParams(fc2),
      flops: denseFlops(fc1) + denseFlops(fc2) + cfg.hidden,
      apply(features, ctx) {
        let h = applyDense(fc1, features);
        if (ctx.training && cfg.dropout > 0) {
          h = tf.dropout(h, cfg.dropout, undefined, ctx.nextSeed?.()) as tf.Tensor2D;
        }
        return applyDense(fc2, tf.relu(h));
      },
      emit(g, features, out) {
        const h = g.node('Relu', [emitDense(g, fc1, features, `${s.prefix}.fc1`)]);
        return emitDense(g, fc2, h, `${s.prefix}.fc2`, out);
      },
      loss(logits, labels) {
        return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, outputs), logits) as tf.Scalar;
      },
    };
  },
};
