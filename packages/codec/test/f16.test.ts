import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floatBitsOfHalf, halfBits } from '../src/codecs/half.js';
import { decode, encode } from '../src/index.js';
import { gaussian } from './helpers.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number): number => {
  f32[0] = x;
  return u32[0];
};
const valueOf = (bits: number): number => {
  u32[0] = bits;
  return f32[0];
};

/** All finite non-negative half values, ascending, with their bit patterns (independent reference). */
const finite: { value: number; bits: number }[] = [];
for (let h = 0; h < 0x7c00; h++) {
  const e = h >>> 10;
  const m = h & 0x3ff;
  finite.push({ bits: h, value: e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15) });
}

/** Reference: nearest half by search, ties to even mantissa; beyond the max-plus-half-ulp, Inf. */
function referenceHalf(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (Number.isNaN(x)) return -1;
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = finite.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (finite[mid].value <= a) lo = mid;
    else hi = mid;
  }
  const dl = a - finite[lo].value;
  const dh = finite[hi].value - a;
  if (dl < dh) return sign | finite[lo].bits;
  if (dh < dl) return sign | finite[hi].bits;
  return sign | ((finite[lo].bits & 1) === 0 ? finite[lo].bits : finite[hi].bits);
}

describe('f16 conversion', () => {
  it('round-trips every one of the 65536 half bit patterns (NaN stays NaN)', () => {
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const fbits = floatBitsOfHalf(h);
      const x = valueOf(fbits);
      const ok =
        (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0 ? Number.isNaN(x) && (halfBits(fbits) & 0x7e00) === 0x7e00 : halfBits(fbits) === h;
      if (!ok) bad.push(h);
    }
    expect(bad).toEqual([]);
  });

  it('rounds every midpoint between neighbouring halves to even, and its neighbours to nearest', () => {
    const bad: number[] = [];
    for (let i = 0; i + 1 < finite.length; i++) {
      const mid = (finite[i].value + finite[i + 1].value) / 2; // 12 significant bits: exact in float32
      const mb = bitsOf(mid);
      const even = (finite[i].bits & 1) === 0 ? finite[i].bits : finite[i + 1].bits;
      const ok =
        valueOf(mb) === mid && halfBits(mb) === even && halfBits(mb - 1) === finite[i].bits && halfBits(mb + 1) === finite[i + 1].bits;
      if (!ok) bad.push(finite[i].bits);
    }
    expect(bad).toEqual([]);
  });

  it('handles overflow, underflow, infinities and signed zero', () => {
    expect(halfBits(bitsOf(65504))).toBe(0x7bff);
    expect(halfBits(bitsOf(65519.99))).toBe(0x7bff);
    expect(halfBits(bitsOf(65520))).toBe(0x7c00);
    expect(halfBits(bitsOf(1e10))).toBe(0x7c00);
    expect(halfBits(bitsOf(-Infinity))).toBe(0xfc00);
    expect(halfBits(bitsOf(-0))).toBe(0x8000);
    expect(halfBits(bitsOf(2 ** -25))).toBe(0); // tie between 0 and the smallest subnormal
    expect(halfBits(bitsOf(2 ** -25 * 1.0001))).toBe(1);
    expect(halfBits(bitsOf(1e-30))).toBe(0);
    expect(halfBits(bitsOf(-(2 ** -24) * 3))).toBe(0x8003);
    expect(halfBits(0x7f800001) & 0x7c00).toBe(0x7c00); // signalling NaN with low payload stays NaN
    expect(halfBits(0x7f800001) & 0x3ff).not.toBe(0);
  });

  it('matches the search reference on random float32 bit patterns', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const x = valueOf(bits);
        const ref = referenceHalf(x);
        if (ref === -1) expect(Number.isNaN(valueOf(floatBitsOfHalf(halfBits(bits))))).toBe(true);
        else expect(halfBits(bits)).toBe(ref);
      }),
      { numRuns: 20000 },
    );
  });

  it('has relative error below 1e-3 on N(0,1) data, and carries NaN/Inf through a frame', () => {
    const x = gaussian(100_000, 7);
    const y = decode(encode({ data: x, shape: [100_000] }, { codec: 'f16' })).data;
    let num = 0;
    let den = 0;
    let worst = 0; // largest relative error over the normal half range
    for (let i = 0; i < x.length; i++) {
      num += (x[i] - y[i]) ** 2;
      den += x[i] ** 2;
      if (Math.abs(x[i]) >= 2 ** -14) worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.abs(x[i]));
    }
    expect(worst).toBeLessThanOrEqual(2 ** -11);
    expect(Math.sqrt(num / den)).toBeLessThan(1e-3);
    const special = Float32Array.of(NaN, Infinity, -Infinity, -0, 0, 65504, 1e-7);
    const back = decode(encode({ data: special, shape: [7] }, { codec: 'f16' })).data;
    expect(Number.isNaN(back[0])).toBe(true);
    expect(Array.from(back.subarray(1, 6))).toEqual([Infinity, -Infinity, -0, 0, 65504]);
    expect(back[6]).toBe(2 ** -24 * Math.round(1e-7 / 2 ** -24));
  });
});
