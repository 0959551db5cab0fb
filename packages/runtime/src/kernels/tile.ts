/**
 * Tile on wasm, fast path for broadcasting tiles (every tiled axis has extent 1), the kind tfjs's
 * batch-norm gradient issues: tile(rsqrt(var) as [1,1,1,C], [N,H,W,1]). The wasm kernel walks the
 * output element by element (~1 s for 6M floats); this path is a single XNNPACK op.
 *
 * Derivation. When x's leading axes are all 1 and only they are tiled, the result is the outer
 * product ones[P, 1] x[1, Q] (P = product of the leading reps, Q = x.size), i.e. one matMul, exact
 * since every product is 1 * x. Any other broadcasting tile is x * ones(outShape) (Multiply
 * broadcasts), also exact. Non-broadcasting tiles and non-float32 dtypes go to the wasm kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelInput, withTensors } from './composite-util.js';
import { freshCopy } from './heap.js';
import type { WasmOverride } from './override.js';

export const tileOverride: WasmOverride = {
  kernelName: 'Tile',
  fast: ({ inputs, attrs }) => {
    const x = inputs.x as KernelInput;
    const reps = attrs.reps as number[];
    const s = x.shape;
    if (x.dtype !== 'float32' || reps.length !== s.length) return undefined;
    if (!s.every((d, i) => d === 1 || reps[i] === 1)) return undefined;
    const outShape = s.map((d, i) => d * (reps[i] as number));
    if (outShape.some((d) => d === 0)) return undefined;
    let k = 0;
    while (k < s.length && s[k] === 1) k++;
    const leading = reps.slice(k).every((r) => r === 1);
    return withTensors([x], (t) => {
      if (leading) {
        const p = reps.slice(0, k).reduce((a, b) => a * b, 1);
        const ones = tf.ones([p, 1]);
        return tf.reshape(tf.matMul(ones, freshCopy(tf.reshape(t, [1, t.size])) as tf.Tensor2D), outShape); // see freshCopy
      }
      return tf.mul(t, tf.ones(outShape));
    });
  },
};
