/**
 * ResizeNearestNeighborGrad on wasm, fast path for whole-number upsampling factors (a U-Net
 * decoder's x2 nearest upsampling). wasm's C++ kernel searches a window of dy for every input
 * pixel and channel: about 5x an XNNPACK add over dy.
 *
 * Derivation. Without alignCorners, output pixel (i, j) of an (s·h) x (t·w) resize reads input
 * pixel (floor(i·h/(s·h)), floor(j·w/(t·w))) = (floor(i/s), floor(j/t)) (with or without half-pixel
 * centres: floor((i + ½)/s) = floor(i/s) for whole s), so input pixel (p, q) receives the sum of dy
 * over the s x t block at (s·p, t·q): an XNNPACK average pooling with an s x t window and stride,
 * 'valid', times s·t. Other cases (alignCorners, fractional factors) go to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelInput, withTensors } from './composite-util.js';
import type { WasmOverride } from './override.js';

export const resizeNearestNeighborGradOverride: WasmOverride = {
  kernelName: 'ResizeNearestNeighborGrad',
  fast: ({ inputs, attrs }) => {
    const images = inputs.images as KernelInput;
    const dy = inputs.dy as KernelInput;
    if (attrs.alignCorners || dy.dtype !== 'float32' || images.shape.length !== 4) return undefined;
    const [, h, w] = images.shape as [number, number, number, number];
    const [, oh, ow] = dy.shape as [number, number, number, number];
    if (oh % h !== 0 || ow % w !== 0) return undefined;
    const s = oh / h;
    const t = ow / w;
    return withTensors([dy], (g) => {
      if (s === 1 && t === 1) return tf.clone(g);
      return tf.mul(tf.avgPool(g as tf.Tensor4D, [s, t], [s, t], 'valid'), s * t);
    });
  },
};
