/**
 * Training kernels the wasm backend (@tensorflow/tfjs-backend-wasm 4.22.0) lacks, registered as
 * composites of kernels it has. One kernel a file; each file says how its kernel is derived.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseConv2dBackpropFilterConfig } from './depthwise-conv2d-backprop-filter.js';
import { depthwiseConv2dBackpropInputConfig } from './depthwise-conv2d-backprop-input.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** The composite kernels, by kernel name. */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseConv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/**
 * Registers the composites for the `wasm` backend. Idempotent: a kernel already registered for
 * wasm (by an earlier call, or natively by a newer tfjs-backend-wasm) is left alone.
 * Returns the names of the kernels this call registered.
 */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const config of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) !== undefined) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}
