/**
 * Strided row copies over the wasm heap, for the concat and slice fast paths: `rows` runs of `len`
 * floats, the r-th read at `srcOff + r * srcStride` and written at `dstOff + r * dstStride`. Views
 * on one heap copy each run with `copyWithin` on the whole heap (a native memmove: exact bits, no
 * temporary view per run); wasm's own Concat and Slice make a `subarray` and a `set` per run, which
 * costs far more than the copy when a run is one NHWC pixel's few channels. Views on different
 * buffers fall back to an element loop.
 */
export function copyRows(
  src: Float32Array,
  srcOff: number,
  srcStride: number,
  dst: Float32Array,
  dstOff: number,
  dstStride: number,
  rows: number,
  len: number,
): void {
  if (src.buffer === dst.buffer) {
    const heap = new Float32Array(dst.buffer);
    const s0 = src.byteOffset / 4 + srcOff;
    const d0 = dst.byteOffset / 4 + dstOff;
    for (let r = 0; r < rows; r++) {
      const s = s0 + r * srcStride;
      heap.copyWithin(d0 + r * dstStride, s, s + len);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const s = srcOff + r * srcStride;
    const d = dstOff + r * dstStride;
    for (let j = 0; j < len; j++) dst[d + j] = src[s + j] as number;
  }
}
