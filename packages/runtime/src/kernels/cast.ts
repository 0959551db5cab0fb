/**
 * Cast on wasm when the dtype does not change: no copy, the output shares the input's data (as the
 * Identity fast path does; see identity.ts). tfjs casts float32 to float32 in tf.moments and
 * avgPool, and wasm's Cast copies the whole tensor each time (about 150 copies in a MobileNetV2
 * training step). Real conversions and strings go to the wasm kernel.
 */
import type * as tf from '@tensorflow/tfjs';
import { wasmBackend } from './heap.js';
import type { WasmOverride } from './override.js';

export const castOverride: WasmOverride = {
  kernelName: 'Cast',
  fast: ({ inputs, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string' || attrs.dtype !== x.dtype) return undefined;
    wasmBackend().incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  },
};
