/**
 * FusedBatchNorm gradient on wasm with five passes over the input's size instead of tfjs's ~13
 * (per layer: sub, tile, eight full-size multiplies and four reductions).
 *
 * Derivation (tfjs's gradient, per channel c, with r = rsqrt(var + eps), s = scale or 1, sums over
 * every position of channel c):
 *   dx      = dy * (r * s)
 *   dmean   = -(r * s) * Σ dy
 *   dvar    = -0.5 * r³ * s * Σ dy * (x - mean)
 *   dscale  = r * Σ dy * (x - mean)
 *   doffset = Σ dy
 * so the full-size work is Σ dy, x - mean, dy * (x - mean), its sum, and dy * (r * s); the rest is
 * per channel. All of it runs as XNNPACK element-wise ops and the Sum fast path (JavaScript loops
 * over the heap measured 3-7 ns an element here against about 0.5 for an XNNPACK pass). Both sums
 * are computed once and shared between the gradients that need them. Channels are the
 * last axis and mean/variance/scale are 1-D (tf.batchNorm, tf.layers); other layouts and
 * non-float32 tensors keep tfjs's gradient. Differs from it only in rounding (r * s formed once).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmGradient } from './activation-grads.js';

/** Whether the fast gradient applies: float32, channels last, 1-D per-channel statistics. */
function fits(dy: tf.Tensor, x: tf.Tensor, stats: (tf.Tensor | undefined)[]): boolean {
  const c = x.shape[x.rank - 1];
  if (x.rank < 2 || x.dtype !== 'float32' || dy.dtype !== 'float32' || !tf.util.arraysEqual(dy.shape, x.shape)) return false;
  return stats.every((t) => t === undefined || (t.rank === 1 && t.shape[0] === c && t.dtype === 'float32'));
}

export const fusedBatchNormGradient: WasmGradient = {
  kernelName: 'FusedBatchNorm',
  fast: (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D | undefined];
    if (!fits(dy, x, [mean, variance, scale])) return undefined;
    const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const r = tf.rsqrt(tf.add(variance, eps));
    const rs = scale ? tf.mul(r, scale) : r;
    // computed here, not in the thunks: tfjs runs each thunk in a tidy of its own, which would
    // dispose a shared result (this function runs inside the 'backward' tidy, which cleans these up)
    const sdy = tf.sum(dy, axes);
    const sdx = tf.sum(tf.mul(dy, tf.sub(x, mean)), axes);
    return {
      x: () => tf.mul(dy, rs),
      mean: () => tf.neg(tf.mul(rs, sdy)),
      variance: () => tf.mul(tf.mul(tf.mul(tf.mul(r, r), rs), -0.5), sdx),
      scale: () => tf.mul(r, sdx),
      offset: () => tf.add(sdy, 0),
    };
  },
};
