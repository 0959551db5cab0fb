export * as tf from '@tensorflow/tfjs';
export { initRuntime, RuntimeError, BACKENDS } from './init.js';
export type { BackendName, RuntimeInfo, RuntimeOptions } from './init.js';
export { registerWasmTrainingKernels, setWasmFastPaths } from './kernels/index.js';
