/**
 * Training kernels the wasm backend (@tensorflow/tfjs-backend-wasm 4.22.0) lacks, registered as
 * composites of kernels it has. One kernel a file; each file says how its kernel is derived.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseConv2dBackpropFilterConfig } from './depthwise-conv2d-backprop-filter.js';
import { depthwiseConv2dBackpropInputConfig } from './depthwise-conv2d-backprop-input.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';
import { conv2dBackpropInputOverride } from './conv2d-backprop-input.js';
import { installWasmOverride, type WasmOverride } from './override.js';

export { setWasmFastPaths } from './override.js';
import { batchMatMulOverride } from './batch-mat-mul.js';
import { meanOverride } from './mean.js';
import { sumOverride } from './sum.js';
import { tileOverride } from './tile.js';
import { identityOverride } from './identity.js';
import { castOverride } from './cast.js';
import { fusedBatchNormOverride } from './fused-batch-norm.js';
import { maxPoolGradOverride } from './max-pool-grad.js';
import { concatOverride } from './concat.js';
import { sliceOverride, splitVOverride } from './slice.js';
import { resizeNearestNeighborGradOverride } from './resize-nearest-grad.js';
import { fusedBatchNormGradient } from './fused-batch-norm-grad.js';
import { meanGradient } from './mean-grad.js';
import { clipByValueGradient, installWasmGradient, relu6Gradient, type WasmGradient } from './activation-grads.js';

/** The composite kernels, by kernel name. */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseConv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/** Kernels wasm has but runs slowly in training, given faster paths (falling back to wasm's own). */
export const WASM_KERNEL_OVERRIDES: readonly WasmOverride[] = [
  conv2dBackpropInputOverride,
  tileOverride,
  sumOverride,
  meanOverride,
  batchMatMulOverride,
  identityOverride,
  castOverride,
  fusedBatchNormOverride,
  maxPoolGradOverride,
  concatOverride,
  sliceOverride,
  splitVOverride,

  resizeNearestNeighborGradOverride,
];

/** tfjs gradients replaced on wasm by cheaper exact formulas (other backends keep tfjs's). */
export const WASM_GRADIENTS: readonly WasmGradient[] = [relu6Gradient, clipByValueGradient, fusedBatchNormGradient, meanGradient];

/**
 * Registers the composites for the `wasm` backend and installs the fast paths. Idempotent: a
 * kernel already registered for wasm (by an earlier call, or natively by a newer
 * tfjs-backend-wasm) is left alone, and a fast path is installed once.
 * Returns the names of the kernels this call registered or sped up.
 */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const config of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) !== undefined) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  for (const override of WASM_KERNEL_OVERRIDES) {
    if (installWasmOverride(override)) added.push(override.kernelName);
  }
  for (const gradient of WASM_GRADIENTS) {
    if (installWasmGradient(gradient)) added.push(`${gradient.kernelName} gradient`);
  }
  return added;
}
