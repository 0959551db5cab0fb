import type { DType, TensorInfo } from '../types.js';

/** Bytes of one element of each dtype. */
export const DTYPE_BYTES: Record<DType, number> = { float32: 4, float16: 2, uint8: 1, int64: 8 };

/** Bytes of one sample of a tensor in its dtype (a point's `bytesPerSample` is the sum over its `tensors`). */
export function tensorBytes(t: Pick<TensorInfo, 'shape' | 'dtype'>): number {
  return t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
}
