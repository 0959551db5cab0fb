/**
 * Slice on wasm, fast path for float32 slices that are not one contiguous block (the gradient of a
 * channel concatenation: each input's channels cut back out). wasm's kernel first copies the whole
 * input out of the heap (`readSync`), then moves the slice in runs with a `subarray` + `set` each.
 *
 * Derivation. With the axes after the last partially sliced one (q) merged into it, the slice is,
 * for every index of the output's axes before q, one run of size[q] * inner floats starting at the
 * input's flat offset of (index + begin, begin[q]). The leading indices are walked as an odometer
 * over the output shape; runs along the axis before q are strided rows (`copyRows`). Exact (a copy).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelInput } from './composite-util.js';
import { copyRows } from './copy-rows.js';
import { heapF32, heapTensor } from './heap.js';
import type { WasmOverride } from './override.js';

export const sliceOverride: WasmOverride = {
  kernelName: 'Slice',
  fast: ({ inputs, attrs }) => {
    const x = inputs.x as KernelInput;
    if (x.dtype !== 'float32' || x.shape.length < 2) return undefined;
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin as number[], attrs.size as number[]);
    if (size.some((d) => d === 0) || tf.slice_util.isSliceContinous(x.shape, begin, size)) return undefined;
    const shape = x.shape;
    let q = shape.length - 1;
    while (q > 0 && begin[q] === 0 && size[q] === shape[q]) q--;
    const inner = tf.util.sizeFromShape(shape.slice(q + 1));
    const strides = tf.util.computeStrides(shape);
    const len = (size[q] as number) * inner;
    if (q === 0) return undefined; // contiguous (handled above)
    const rowStride = strides[q - 1] as number;
    const outer = size.slice(0, q - 1);
    const rows = size[q - 1] as number;
    return heapTensor(size, (out) => {
      const xv = heapF32(x);
      const idx = outer.map(() => 0);
      const count = tf.util.sizeFromShape(outer);
      for (let o = 0; o < count; o++) {
        let src = (begin[q] as number) * inner + (begin[q - 1] as number) * rowStride;
        for (let a = 0; a < idx.length; a++) src += ((idx[a] as number) + (begin[a] as number)) * (strides[a] as number);
        copyRows(xv, src, rowStride, out, o * rows * len, len, rows, len);
        for (let a = idx.length - 1; a >= 0; a--) {
          idx[a] = (idx[a] as number) + 1;
          if ((idx[a] as number) < (outer[a] as number)) break;
          idx[a] = 0;
        }
      }
    });
  },
};
