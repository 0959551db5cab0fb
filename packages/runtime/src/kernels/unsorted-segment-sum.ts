/**
 * UnsortedSegmentSum for the wasm backend, as one matrix product. tfjs needs it for the gradient
 * of tf.gather (embeddings, picking rows or task heads), and wasm 4.22.0 lacks it.
 *
 * Derivation. out[s, ...] = sum over i with ids[i] = s of x[i, ...]. With the one-hot matrix
 * H = (ids[:, None] == range(S)[None, :]) : [n, S] (all zeros for an id outside [0, S), so such rows are dropped, as
 * the cpu backend does) and x flattened to [n, rest], this is out = H^T x : [S, rest], which
 * BatchMatMul (XNNPACK) computes; reshape to [S, ...x.shape after the ids' rank].
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelInput, withTensors } from './composite-util.js';
import { freshCopy } from './heap.js';

export function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  const idsRank = segmentIds.rank;
  const n = segmentIds.size;
  const tail = x.shape.slice(idsRank);
  const rest = tail.reduce((a, b) => a * b, 1);
  const ids = tf.cast(tf.reshape(segmentIds, [n, 1]), 'int32');
  // one-hot by comparison (tf.oneHot rejects a depth of 1)
  const onehot = tf.cast(tf.equal(ids, tf.range(0, numSegments, 1, 'int32').reshape([1, numSegments])), 'float32');
  const xf = tf.reshape(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), [n, rest]);
  // xf is a reshape of x: copy it so the matMul's b owns its data id (see freshCopy)
  const out = tf.reshape(tf.matMul(onehot, tf.getBackend() === 'wasm' ? freshCopy(xf) : xf, true, false), [numSegments, ...tail]);
  return x.dtype === 'float32' ? out : tf.cast(out, x.dtype);
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { numSegments } = attrs as unknown as { numSegments: number };
    const { x, segmentIds } = inputs as { x: KernelInput; segmentIds: KernelInput };
    return withTensors([x, segmentIds], (xt, ids) => unsortedSegmentSum(xt, ids, numSegments));
  },
};
