/**
 * Shared by the Sum and Mean fast paths: averages over a contiguous block of axes that is not the
 * last axis, with one XNNPACK average pooling instead of wasm's reduce (which first transposes the
 * reduced axes innermost, ~7x slower on batch-norm-sized tensors).
 *
 * x : [A..., R..., B...] is viewed as [pre, r, 1, post] (pre = product of A, r = product of R,
 * post = product of B, B not empty); avgPool with a [r, 1] window, stride 1, 'valid', gives
 * [pre, 1, 1, post] = the mean over R, reshaped to the reduced shape.
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelInput, withTensors } from './composite-util.js';

/** Below this many elements wasm's own reduce is fast enough; keep its exact behaviour. */
const MIN_SIZE = 1024;

export function poolReduce(x: KernelInput, axis: number | number[], keepDims: boolean, scaleBySize: boolean): tf.Tensor | undefined {
  const shape = x.shape;
  if (x.dtype !== 'float32' || shape.length < 2) return undefined;
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  if (axes.length === 0) return undefined;
  const first = axes[0] as number;
  const last = axes[axes.length - 1] as number;
  if (last - first + 1 !== axes.length || last >= shape.length - 1) return undefined;
  const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const pre = prod(shape.slice(0, first));
  const r = prod(shape.slice(first, last + 1));
  const post = prod(shape.slice(last + 1));
  if (r < 2 || pre * r * post < MIN_SIZE) return undefined;
  const outShape = keepDims ? shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : shape.filter((_, i) => i < first || i > last);
  return withTensors([x], (t) => {
    const avg = tf.avgPool(tf.reshape(t, [pre, r, 1, post]) as tf.Tensor4D, [r, 1], 1, 'valid');
    return tf.reshape(scaleBySize ? tf.mul(avg, r) : avg, outShape);
  });
}
