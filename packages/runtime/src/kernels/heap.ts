/**
 * Helpers for the few kernels written as JavaScript loops over the wasm heap (where no XNNPACK
 * operator fits and wasm's own C++ kernel is a slow generic loop): the backend, heap views of
 * tensors, and outputs as Tensors. Views are taken after every allocation (a growing heap
 * detaches older views) and inputs are only read.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelInput } from './composite-util.js';

/** The active wasm backend (callers run inside a wasm kernel). */
export function wasmBackend(): BackendWasm {
  return tf.backend() as unknown as BackendWasm;
}

/** A float32 view of a tensor's data on the wasm heap (no copy; read it, never write it). */
export function heapF32(info: KernelInput): Float32Array {
  return wasmBackend().typedArrayFromHeap(info as tf.TensorInfo) as Float32Array;
}

/** A new float32 tensor of `shape` on the wasm heap, filled by `fill(view)`; its contents start undefined. */
export function heapTensor(shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  const backend = wasmBackend();
  const info = backend.makeOutput(shape, 'float32');
  fill(backend.typedArrayFromHeap(info) as Float32Array);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * A copy of `t` with data of its own (a new data id), for the `b` operand of a matMul. wasm's
 * BatchMatMul caches its XNNPACK operator, with b packed inside, by b's data id alone; reshapes
 * (and Identity) share data ids, so a reshape of a tensor that already served as b with another
 * shape would reuse the stale operator (wrong results or an out-of-bounds access). Operands we
 * derive from kernel inputs by reshaping are copied first (one pass, far cheaper than the product).
 */
export function freshCopy(t: tf.Tensor): tf.Tensor {
  if (t.dtype !== 'float32') return tf.add(t, tf.zerosLike(t));
  return heapTensor([...t.shape], (out) => out.set(heapF32(t)));
}
