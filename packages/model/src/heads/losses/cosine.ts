import { tf } from '@mtl-split/runtime';
import type { DenseLoss } from '../dense-types.js';

const EPS = 1e-6;
/** Added to |p|² under the square root: finite gradient where the prediction is exactly 0 (a pixel all of whose last ReLU features are 0). */
const EPS2 = 1e-12;

/**
 * Cosine distance for surface normals. pred, target: [n, H, W, 3]; a pixel is valid where its target
 * has length > 0.5 (unit normals; all-zero marks a pixel without one). The prediction need not be
 * unit length. Loss = Σ_valid (1 - p·t / (|p|ε |t| + ε)) / max(1, number of valid pixels) with
 * |p|ε = sqrt(|p|² + 1e-12), so its gradient is (to ε) orthogonal to p, -(t̂ - (p̂·t̂) p̂) / (|p| count) on
 * valid pixels, and 0 rather than NaN at p = 0.
 */
export function cosineDistance(pred: tf.Tensor4D, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const t = tf.reshape(target, pred.shape);
    const tNorm = tf.sqrt(tf.sum(tf.square(t), 3));
    const pNorm = tf.sqrt(tf.add(tf.sum(tf.square(pred), 3), EPS2));
    const valid = tf.cast(tf.greater(tNorm, 0.5), 'float32');
    const cos = tf.div(tf.sum(tf.mul(pred, t), 3), tf.add(tf.mul(pNorm, tNorm), EPS));
    const count = tf.maximum(tf.sum(valid), 1);
    return tf.div(tf.sum(tf.mul(tf.sub(1, cos), valid)), count) as tf.Scalar;
  });
}

export const cosineLoss: DenseLoss = {
  name: 'cosine',
  description: 'mean cosine distance 1 - cos(pred, target) over pixels with a unit target normal',
  loss: cosineDistance,
};
