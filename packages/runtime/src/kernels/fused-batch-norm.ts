/**
 * FusedBatchNorm on wasm, fast path: wasm's kernel is a scalar loop (the bulk of batch-norm
 * inference time); this is three XNNPACK element-wise passes with broadcasting,
 *   y = (x - mean) * (scale * rsqrt(variance + epsilon)) + offset,
 * the factor computed once per channel. The same formula as the kernel's, with the per-channel
 * factor rounded once: results equal wasm's and cpu's to float rounding. Missing scale/offset
 * mean 1/0, as in the kernel. Non-float32 inputs go to the wasm kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelInput, withTensors } from './composite-util.js';
import type { WasmOverride } from './override.js';

export const fusedBatchNormOverride: WasmOverride = {
  kernelName: 'FusedBatchNorm',
  fast: ({ inputs, attrs }) => {
    const { x, mean, variance, offset, scale } = inputs as Record<string, KernelInput | undefined>;
    const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const all = [x, mean, variance, offset, scale].filter((t): t is KernelInput => t !== undefined && t !== null);
    if (!x || !mean || !variance || all.some((t) => t.dtype !== 'float32')) return undefined;
    const hasOffset = offset !== undefined && offset !== null;
    const hasScale = scale !== undefined && scale !== null;
    return withTensors(all, (xt, m, v, ...rest) => {
      const o = hasOffset ? rest[0] : undefined;
      const s = hasScale ? rest[hasOffset ? 1 : 0] : undefined;
      let inv = tf.rsqrt(tf.add(v as tf.Tensor, eps));
      if (s) inv = tf.mul(inv, s);
      const y = tf.mul(tf.sub(xt as tf.Tensor, m as tf.Tensor), inv);
      return o ? tf.add(y, o) : y;
    });
  },
};
