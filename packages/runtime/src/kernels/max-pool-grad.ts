/**
 * MaxPoolGrad on wasm, fast path as one JavaScript pass over the wasm heap (wasm's C++ kernel loops
 * over every input position and, inside, every output window that could contain it: a third of a
 * LeNet training step). No XNNPACK operator computes it.
 *
 * Derivation. y[b,i,j,c] = max over the window of x (rows i*sh - pt .. + kh - 1, clipped to the
 * input; likewise columns), and the gradient sends dy[b,i,j,c] to the window's maximum: the first
 * position in row-major window order whose value is strictly greater than every earlier one (the
 * cpu backend's rule, so ties and all-NaN / all -Infinity windows, which get nothing, agree). dx
 * is the sum of those contributions (overlapping windows add up). Windows are scanned once, all
 * channels at a time (contiguous in NHWC).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelInput } from './composite-util.js';
import { heapF32, heapTensor } from './heap.js';
import type { WasmOverride } from './override.js';

export interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolGrad(dy: KernelInput, x: KernelInput, attrs: MaxPoolGradAttrs): tf.Tensor {
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: C, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;
  return heapTensor([n, H, W, C], (dx) => {
    const xv = heapF32(x);
    const dyv = heapF32(dy);
    dx.fill(0);
    const best = new Float32Array(C);
    const pos = new Int32Array(C);
    let d = 0;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < oh; i++) {
        const h0 = Math.max(0, i * sh - top);
        const h1 = Math.min(H, i * sh - top + kh);
        for (let j = 0; j < ow; j++, d += C) {
          const w0 = Math.max(0, j * sw - left);
          const w1 = Math.min(W, j * sw - left + kw);
          best.fill(Number.NEGATIVE_INFINITY);
          pos.fill(-1);
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const base = ((b * H + h) * W + w) * C;
              for (let c = 0; c < C; c++) {
                const v = xv[base + c] as number;
                if (v > (best[c] as number)) {
                  best[c] = v;
                  pos[c] = base + c;
                }
              }
            }
          }
          for (let c = 0; c < C; c++) {
            const p = pos[c] as number;
            if (p >= 0) dx[p] = (dx[p] as number) + (dyv[d + c] as number);
          }
        }
      }
    }
  });
}

export const maxPoolGradOverride: WasmOverride = {
  kernelName: 'MaxPoolGrad',
  fast: ({ inputs, attrs }) => {
    const { dy, input } = inputs as { dy: KernelInput; input: KernelInput };
    if (dy.dtype !== 'float32' || input.dtype !== 'float32' || input.shape.length !== 4) return undefined;
    return maxPoolGrad(dy, input, attrs as unknown as MaxPoolGradAttrs);
  },
};
