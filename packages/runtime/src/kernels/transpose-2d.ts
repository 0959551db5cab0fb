/**
 * A 2-D transpose [r, c] -> [c, r] as a JavaScript loop over the wasm heap, in square tiles so both
 * the reads and the writes stay in cache. wasm's Transpose kernel is a generic index loop (about
 * 8 ns an element on a [65536, 96] matrix); the tiled loop is several times faster. Used inside
 * composites that need one operand of a matMul transposed (float32 on wasm; elsewhere tf.transpose).
 */
import * as tf from '@tensorflow/tfjs';
import { heapF32, heapTensor } from './heap.js';

const TILE = 64;

export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  const [r, c] = x.shape;
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return tf.transpose(x);
  return heapTensor([c, r], (out) => {
    const xv = heapF32(x);
    for (let i0 = 0; i0 < r; i0 += TILE) {
      const i1 = Math.min(r, i0 + TILE);
      for (let j0 = 0; j0 < c; j0 += TILE) {
        const j1 = Math.min(c, j0 + TILE);
        for (let j = j0; j < j1; j++) {
          let o = j * r + i0;
          let s = i0 * c + j;
          for (let i = i0; i < i1; i++, s += c) out[o++] = xv[s] as number;
        }
      }
    }
  }) as tf.Tensor2D;
}
