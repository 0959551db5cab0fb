/**
 * Mean on wasm, fast path for float32 reductions over a contiguous block of axes other than the
 * last: batch-norm statistics (tf.moments over [0, 1, 2]) and global average pooling (over
 * [1, 2]) are one XNNPACK average pooling (see pool-reduce.ts). Everything else goes to the wasm
 * kernel.
 */
import type { KernelInput } from './composite-util.js';
import type { WasmOverride } from './override.js';
import { poolReduce } from './pool-reduce.js';

export const meanOverride: WasmOverride = {
  kernelName: 'Mean',
  fast: ({ inputs, attrs }) => {
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    return poolReduce(inputs.x as KernelInput, axis, keepDims, false);
  },
};
