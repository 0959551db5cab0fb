/** Helpers shared by the composite kernels and fast paths: tensor wrapping, spatial pad/crop, zero insertion. */
import * as tf from '@tensorflow/tfjs';
import { heapF32, heapTensor } from './heap.js';

/** What tfjs hands a kernel: a Tensor (from ops and gradients) or a bare TensorInfo. */
export type KernelInput = tf.TensorInfo | tf.Tensor;

export type PadAttr = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/**
 * A kernel input as a Tensor usable with tf ops. Inputs that arrive as Tensors are used directly
 * (the caller owns them); a bare TensorInfo is copied through the backend's `Identity` kernel so
 * the copy can be disposed without touching the caller's data. `owned` says whether to dispose it.
 */
export function asTensor(info: KernelInput): { t: tf.Tensor; owned: boolean } {
  if (info instanceof tf.Tensor) return { t: info, owned: false };
  const t = tf.engine().runKernel('Identity', { x: info } as unknown as tf.NamedTensorMap, {}) as tf.Tensor;
  return { t, owned: true };
}

/** Runs `body` on the inputs as Tensors, disposing every intermediate; returns the result Tensor. */
export function withTensors<T extends tf.Tensor>(inputs: KernelInput[], body: (...ts: tf.Tensor[]) => T): T {
  const wrapped = inputs.map(asTensor);
  try {
    return tf.tidy(() => body(...wrapped.map((w) => w.t)));
  } finally {
    for (const w of wrapped) if (w.owned) w.t.dispose();
  }
}

/**
 * x[:, t0 : t0+hh, l0 : l0+ww, :]. On wasm a copy of whole rows over the heap: wasm's Slice first
 * copies the entire input out of the heap and then moves it in pieces of one pixel row.
 */
export function crop(x: tf.Tensor4D, t0: number, l0: number, hh: number, ww: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return tf.slice(x, [0, t0, l0, 0], [n, hh, ww, c]);
  const row = ww * c;
  return heapTensor([n, hh, ww, c], (out) => {
    const xv = heapF32(x);
    let o = 0;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < hh; i++, o += row) {
        const src = ((b * h + t0 + i) * w + l0) * c;
        out.set(xv.subarray(src, src + row), o);
      }
    }
  }) as tf.Tensor4D;
}

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor.
 * Cropping happens first, so a negative top and a positive bottom are both honoured.
 */
export function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [_n, h, w, _c] = x.shape;
  let y = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t0 = Math.max(0, -top);
    const l0 = Math.max(0, -left);
    const hh = h - t0 - Math.max(0, -bottom);
    const ww = w - l0 - Math.max(0, -right);
    y = crop(y, t0, l0, hh, ww);
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    y = tf.pad(y, [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ]);
  }
  return y;
}

/**
 * Inserts `sh - 1` zero rows between rows and `sw - 1` zero columns between columns of an NHWC
 * tensor (plus the same number after the last row/column): [n,h,w,c] -> [n,h*sh,w*sw,c].
 * Pure data movement (reshape + pad), no multiplications.
 */
export function dilateSpatial(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  const x5 = tf.reshape(x, [n * h, 1, w, 1, c]) as tf.Tensor5D;
  const padded = tf.pad(x5, [
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(padded, [n, h * sh, w * sw, c]);
}

/** Rejects layouts the composites do not handle (the wasm backend's forward convs are NHWC only). */
export function assertChannelsLast(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  }
}
