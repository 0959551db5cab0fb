/**
 * Sum on wasm, fast path for float32 reductions over a contiguous block of axes other than the
 * last (bias and batch-norm gradients sum NHWC tensors over [0, 1, 2]): mean by one XNNPACK
 * average pooling (see pool-reduce.ts), times the number of reduced elements. Everything else goes
 * to the wasm kernel.
 */
import type { KernelInput } from './composite-util.js';
import type { WasmOverride } from './override.js';
import { poolReduce } from './pool-reduce.js';

export const sumOverride: WasmOverride = {
  kernelName: 'Sum',
  fast: ({ inputs, attrs }) => {
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    return poolReduce(inputs.x as KernelInput, axis, keepDims, true);
  },
};
