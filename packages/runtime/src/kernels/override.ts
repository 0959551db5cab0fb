/**
 * Faster paths for kernels the wasm backend has but runs slowly in training (its generic C++ loops,
 * not XNNPACK). An override handles the cases it knows (returns a Tensor) and hands everything else
 * to the backend's own kernel (returns undefined), so behaviour outside the fast path is unchanged.
 */
import * as tf from '@tensorflow/tfjs';

export type FastPath = (args: {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
  backend: tf.KernelBackend;
}) => tf.TensorInfo | tf.TensorInfo[] | undefined;

export interface WasmOverride {
  kernelName: string;
  fast: FastPath;
}

/** Marks our wrappers, so a second install (even from a fresh copy of this module) is a no-op. */
const MARK = Symbol.for('@mtl-split/runtime:wasm-override');
/** The on/off switch lives on globalThis for the same reason: one switch per process. */
const STATE = Symbol.for('@mtl-split/runtime:wasm-fast-paths');
const state: { enabled: boolean } = ((globalThis as Record<symbol, { enabled: boolean } | undefined>)[STATE] ??= {
  enabled: true,
});

/** Turns the fast paths on (default) or off, e.g. to measure them; off means wasm's own kernels. */
export function setWasmFastPaths(on: boolean): void {
  state.enabled = on;
}

/** Whether the fast paths are on (see setWasmFastPaths). */
export function fastPathsEnabled(): boolean {
  return state.enabled;
}

/**
 * Replaces the wasm kernel `kernelName` by `fast`, falling back to the original kernel (whose
 * setup and dispose hooks are kept). Idempotent; returns whether this call installed it.
 */
export function installWasmOverride({ kernelName, fast }: WasmOverride): boolean {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original === undefined) return false; // nothing to speed up (or a different wasm build)
  if (MARK in original.kernelFunc) return false;
  tf.unregisterKernel(kernelName, 'wasm');
  const kernelFunc: tf.KernelFunc = (args) => {
    const out = state.enabled ? fast(args as Parameters<FastPath>[0]) : undefined;
    return out ?? original.kernelFunc(args);
  };
  Object.defineProperty(kernelFunc, MARK, { value: true });
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc,
  });
  return true;
}
