import { encode } from '@mtl-split/codec';
import { initRuntime, tf } from '@mtl-split/runtime';
import type { TinyModel } from './tiny-model.js';

export async function setup(): Promise<void> {
  await initRuntime();
}

/** Deterministic input batch [n,8,8,1] in [0,1]. */
export function inputs(n: number, seed = 7): tf.Tensor4D {
  return tf.randomUniform([n, 8, 8, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
}

/** Run the edge half locally and encode the split tensor as an f32 frame. */
export function edgeFrame(model: TinyModel, point: string, x: tf.Tensor4D, codec = 'f32'): Uint8Array {
  const h = model.edge(point, x);
  const frame = encode({ data: h.dataSync() as Float32Array, shape: h.shape }, { codec });
  h.dispose();
  return frame;
}

/** Row i of an n x c row-major array. */
export function row(a: Float32Array, i: number, c: number): number[] {
  return Array.from(a.subarray(i * c, (i + 1) * c));
}
