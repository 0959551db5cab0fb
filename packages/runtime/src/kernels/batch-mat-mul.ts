/**
 * BatchMatMul on wasm, fast path for transposed operands (a dense layer's gradients are
 * x^T * dy and dy * W^T). The wasm kernel reads a transposed operand with strided scalar loops
 * (a [64,1024]^T x [64,64] product takes ~18 ms against ~1 ms untransposed); this path
 * materialises the transpose (one Transpose of the operand) and runs the untransposed kernel.
 *
 * Derivation. matMul(a, b, tA, tB) = matMul(tA ? a^T : a, tB ? b^T : b) where ^T swaps the last two
 * axes; the products and their summation order are those of the plain kernel, so results agree
 * with the wasm kernel to float rounding. Untransposed calls and non-float32 go to the wasm kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelInput, withTensors } from './composite-util.js';
import type { WasmOverride } from './override.js';

function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tf.transpose(t, perm);
}

export const batchMatMulOverride: WasmOverride = {
  kernelName: 'BatchMatMul',
  fast: ({ inputs, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return undefined;
    const a = inputs.a as KernelInput;
    const b = inputs.b as KernelInput;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
    return withTensors([a, b], (ta, tb) => tf.matMul(transposeA ? swapLast(ta) : ta, transposeB ? swapLast(tb) : tb));
  },
};
