/**
 * Identity on wasm without a copy. tfjs clones every tensor it saves for the backward pass
 * (`engine.saveTensorsForBackwardMode`, `customGrad`'s save) and casts float32 inputs to float32
 * (avgPool, moments); wasm's Identity copies the data each time (hundreds of copies per training
 * step). Tensor data is immutable in tfjs (a Variable's assign swaps data ids), so the output can
 * share the input's data: one more reference (`incRef`), as wasm's own Reshape and the cpu
 * backend's Identity do. Disposing either tensor leaves the other intact. Strings go to the wasm
 * kernel.
 */
import type * as tf from '@tensorflow/tfjs';
import { wasmBackend } from './heap.js';
import type { WasmOverride } from './override.js';

export const identityOverride: WasmOverride = {
  kernelName: 'Identity',
  fast: ({ inputs }) => {
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return undefined;
    wasmBackend().incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  },
};
