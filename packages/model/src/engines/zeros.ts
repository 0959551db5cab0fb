import type { TensorData } from './types.js';

/** One sample (batch 1) of float32 zeros for each tensor shape: what warm-ups and calibrations run a half on. */
export function zeroSample(tensors: readonly { readonly shape: readonly number[] }[]): TensorData[] {
  return tensors.map((t) => ({ data: new Float32Array(t.shape.reduce((a, b) => a * b, 1)), shape: [1, ...t.shape] }));
}
