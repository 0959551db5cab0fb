import { tf } from '@mtl-split/runtime';
import type { DenseLoss } from '../dense-types.js';

/**
 * L1 on the valid pixels of a depth map. pred, target: [n, H, W, 1] (target may be [n, H, W]);
 * a pixel is valid where its target is > 0 (0 marks no measurement, as in NYUv2's depth).
 * Loss = Σ_valid |pred - target| / max(1, number of valid pixels); gradient sign(pred - target) / count
 * on valid pixels, 0 elsewhere.
 */
export function l1Valid(pred: tf.Tensor4D, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const t = tf.reshape(target, pred.shape);
    const valid = tf.cast(tf.greater(t, 0), 'float32');
    const count = tf.maximum(tf.sum(valid), 1);
    return tf.div(tf.sum(tf.mul(tf.abs(tf.sub(pred, t)), valid)), count) as tf.Scalar;
  });
}

export const l1ValidLoss: DenseLoss = {
  name: 'l1-valid',
  description: 'mean absolute error over pixels whose target is > 0 (depth)',
  loss: l1Valid,
};
