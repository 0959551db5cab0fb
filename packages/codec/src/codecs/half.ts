/**
 * IEEE 754 binary16 <-> binary32 conversion on raw bits, without Math.fround.
 * Encode rounds to nearest, ties to even; handles subnormals, overflow to ±Inf, Inf and NaN
 * (NaN stays NaN, quieted, top payload bits kept).
 */

/** Bits of the half nearest to the float with bits `u` (round to nearest even). */
export function halfBits(u: number): number {
  const sign = (u >>> 16) & 0x8000;
  const a = u & 0x7fffffff;
  if (a >= 0x38800000) {
    // |x| >= 2^-14: normal half, or overflow / Inf / NaN
    if (a >= 0x47800000) {
      // |x| >= 2^16 or Inf/NaN
      if (a > 0x7f800000) return sign | 0x7e00 | ((a >>> 13) & 0x3ff);
      return sign | 0x7c00;
    }
    // Rebias the exponent (127 -> 15), add the rounding bias, drop 13 bits. A carry out of the
    // mantissa bumps the exponent, which is right, up to Inf for 65520 <= |x| < 65536.
    return sign | ((a - 0x38000000 + 0x0fff + ((a >>> 13) & 1)) >>> 13);
  }
  if (a < 0x33000000) return sign; // |x| < 2^-25 rounds to ±0 (2^-25 itself, a tie, goes below to even 0)
  // Subnormal half: value = m * 2^-24 with m = (1.mant) * 2^(e - 103).
  const e = a >>> 23;
  const m = (a & 0x7fffff) | 0x800000;
  const shift = 126 - e; // 14..24
  const q = m >>> shift;
  const rem = m & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return sign | (rem > half || (rem === half && (q & 1) === 1) ? q + 1 : q);
}

let table: Float32Array | null = null;

/** Float32 value of every half bit pattern (256 KiB, built on first use). */
export function halfTable(): Float32Array {
  if (table !== null) return table;
  const t = new Float32Array(65536);
  const bits = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) bits[h] = floatBitsOfHalf(h);
  table = t;
  return t;
}

/** Exact float32 bits of the half with bits `h`. */
export function floatBitsOfHalf(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // subnormal half: normalise
  let e = 113;
  let m = mant;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((m & 0x3ff) << 13)) >>> 0;
}
