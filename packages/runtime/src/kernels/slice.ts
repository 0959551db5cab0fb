/**
 * Slice and SplitV on wasm, fast paths for float32 slices that are not one contiguous block (the
 * gradient of a channel concatenation: tfjs's `split` of dy, one SplitV, cuts each input's channels
 * back out). wasm's Slice first copies the whole input out of the heap (`readSync`), then moves the
 * slice in runs with a `subarray` + `set` each; its SplitV calls that Slice once per piece.
 *
 * Derivation. With the axes after the last partially sliced one (q) merged into it, the slice is,
 * for every index of the output's axes before q, one run of size[q] * inner floats starting at the
 * input's flat offset of (index + begin, begin[q]). The leading indices are walked as an odometer
 * over the output shape; runs along the axis before q are strided rows (`copyRows`). Exact (a copy).
 * SplitV is that slice for each piece along its axis (contiguous pieces are one `set`).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelInput } from './composite-util.js';
import { copyRows } from './copy-rows.js';
import { heapF32, heapTensor } from './heap.js';
import type { WasmOverride } from './override.js';

/** x[begin : begin + size] of a float32 tensor on the wasm heap, as a new tensor (any rank >= 1). */
function heapSlice(x: KernelInput, begin: number[], size: number[]): tf.Tensor {
  const shape = x.shape;
  const strides = tf.util.computeStrides(shape);
  if (tf.slice_util.isSliceContinous(shape, begin, size)) {
    const from = tf.slice_util.computeFlatOffset(begin, strides);
    return heapTensor(size, (out) => out.set(heapF32(x).subarray(from, from + out.length)));
  }
  let q = shape.length - 1;
  while (q > 0 && begin[q] === 0 && size[q] === shape[q]) q--;
  const inner = tf.util.sizeFromShape(shape.slice(q + 1));
  const len = (size[q] as number) * inner;
  const rowStride = strides[q - 1] as number; // q >= 1: a slice partial only along axis 0 is contiguous
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
}

export const sliceOverride: WasmOverride = {
  kernelName: 'Slice',
  fast: ({ inputs, attrs }) => {
    const x = inputs.x as KernelInput;
    if (x.dtype !== 'float32' || x.shape.length < 2) return undefined;
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin as number[], attrs.size as number[]);
    if (size.some((d) => d === 0) || tf.slice_util.isSliceContinous(x.shape, begin, size)) return undefined;
    return heapSlice(x, begin, size);
  },
};

export const splitVOverride: WasmOverride = {
  kernelName: 'SplitV',
  fast: ({ inputs, attrs }) => {
    const x = inputs.x as KernelInput;
    if (x.dtype !== 'float32' || x.shape.length === 0 || tf.util.sizeFromShape(x.shape) === 0) return undefined;
    const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0] as number;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits as number | number[], axis);
    if (sizes.some((s) => s === 0)) return undefined;
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const piece = heapSlice(x, [...begin], size);
      begin[axis] = (begin[axis] as number) + s;
      return piece;
    });
  },
};
