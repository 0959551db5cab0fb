import { tf } from '@mtl-split/runtime';
import type { DenseLoss } from '../dense-types.js';

/**
 * Per-pixel softmax cross-entropy for segmentation. pred: logits [n, H, W, K]; target: class
 * indices [n, H, W] (or [n, H, W, 1]), any dtype; a label outside [0, K) (e.g. 255) marks a pixel
 * to ignore. Loss = -Σ_valid log softmax(pred)[label] / max(1, number of valid pixels).
 * Gradient wrt the logits: (softmax - onehot(label)) / count on valid pixels, 0 elsewhere.
 */
export function pixelCrossEntropy(pred: tf.Tensor4D, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const k = pred.shape[3];
    const labels = tf.reshape(tf.cast(target, 'int32'), [pred.shape[0], pred.shape[1], pred.shape[2]]);
    const onehot = tf.oneHot(labels, k); // all-zero rows for labels outside [0, K)
    const count = tf.maximum(tf.sum(onehot), 1);
    return tf.div(tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(pred)))), count) as tf.Scalar;
  });
}

export const pixelCrossEntropyLoss: DenseLoss = {
  name: 'pixel-cross-entropy',
  description: 'per-pixel softmax cross-entropy (segmentation); labels outside [0, classes) ignored',
  loss: pixelCrossEntropy,
};
