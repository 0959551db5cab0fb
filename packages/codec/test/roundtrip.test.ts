import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODECS, COMPRESSIONS, compressionAvailable, decode, encode, getCompressor, peekHeader, snrDb } from '../src/index.js';
import { dataFor, gaussian, reluLike } from './helpers.js';

const shapeArb = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 });
const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** A shape and float32 data of that size; `finite` excludes NaN and ±Inf. */
const tensorArb = (finite: boolean) =>
  shapeArb.chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.float32Array({ minLength: count(shape), maxLength: count(shape), noNaN: finite, noDefaultInfinity: finite }),
    ),
  );

const bitsEqual = (a: Float32Array, b: Float32Array): boolean => {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.length === ub.length && ua.every((v, i) => v === ub[i]);
};

/** Largest |x - x'| allowed for an affine group with scale s: half a step, plus float rounding. */
const quantBound = (s: number, x: number): number => s * (0.5 + 1e-4) + Math.abs(x) * 1e-6;

const usable = COMPRESSIONS.filter((c) => compressionAvailable(c));

describe('round trip', () => {
  it('runs every stage whose native module loaded; zstd reports why when it did not', () => {
    for (const c of COMPRESSIONS) {
      expect(usable.includes(c) || getCompressor(c).unavailableReason().includes('zstd-napi')).toBe(true);
    }
  });

  for (const compress of usable) {
    const runs = compress === 'none' ? 150 : 40;

    it(`f32 + ${compress} is bit-exact, NaN payloads and -0 included`, () => {
      fc.assert(
        fc.property(tensorArb(false), ([shape, data]) => {
          const frame = encode({ data, shape }, { codec: 'f32', compress });
          const back = decode(frame);
          expect(back.shape).toEqual(shape);
          expect(back.codec).toBe('f32');
          expect(back.compress).toBe(compress);
          expect(bitsEqual(back.data, data)).toBe(true);
        }),
        { numRuns: runs },
      );
    });

    it(`f16 + ${compress} equals per-element round-to-nearest-even`, () => {
      fc.assert(
        fc.property(tensorArb(false), ([shape, data]) => {
          const back = decode(encode({ data, shape }, { codec: 'f16', compress })).data;
          for (let i = 0; i < data.length; i++) {
            const x = data[i];
            const y = back[i];
            if (Number.isNaN(x)) expect(Number.isNaN(y)).toBe(true);
            else if (Math.abs(x) >= 65520) expect(y).toBe(x > 0 ? Infinity : -Infinity);
            else if (Math.abs(x) >= 2 ** -14) expect(Math.abs(x - y)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11);
            else expect(Math.abs(x - y)).toBeLessThanOrEqual(2 ** -25);
          }
        }),
        { numRuns: runs },
      );
    });

    for (const codec of ['int8', 'int8-channel', 'uint4']) {
      it(`${codec} + ${compress} stays within half a quantisation step and keeps zeros exact`, () => {
        fc.assert(
          fc.property(tensorArb(true), fc.integer({ min: 1, max: 64 }), ([shape, data], minGroupValues) => {
            const frame = encode({ data, shape }, { codec, compress, minGroupValues });
            const h = peekHeader(frame);
            const channels = shape[shape.length - 1];
            expect(h.quant).not.toBeNull();
            const groups = h.quant!.scales.length;
            if (codec === 'int8') expect(groups).toBe(1);
            else {
              // the grouping rule: per channel when each channel has minGroupValues values,
              // else blocks of the fewest consecutive channels that reach it, else one group
              const rows = data.length / channels;
              const per = channels / groups;
              expect(Number.isInteger(per)).toBe(true);
              expect(h.quant!.channelsPerGroup).toBe(per);
              if (rows >= minGroupValues) expect(groups).toBe(channels);
              else if (groups > 1) expect(rows * per).toBeGreaterThanOrEqual(minGroupValues);
              for (let m = 1; m < per; m++) if (channels % m === 0) expect(rows * m).toBeLessThan(minGroupValues);
            }
            const back = decode(frame).data;
            for (let i = 0; i < data.length; i++) {
              const s = h.quant!.scales[codec === 'int8' ? 0 : Math.floor((i % channels) / h.quant!.channelsPerGroup)];
              expect(Math.abs(data[i] - back[i])).toBeLessThanOrEqual(quantBound(s, data[i]));
              if (data[i] === 0) expect(back[i]).toBe(0);
            }
          }),
          { numRuns: runs },
        );
      });
    }
  }

  it('reaches sensible SNR on N(0,1) and ReLU-like batches (4×6×6×16)', () => {
    const shape = [4, 6, 6, 16];
    const n = count(shape);
    // image codecs: png is lossless on int8's grid; jpeg and webp (quality 90) on noise, their worst case
    // u8: lossless on its integer data
    const min: Record<string, number> = {
      f32: Infinity,
      f16: 60,
      int8: 30,
      'int8-channel': 30,
      uint4: 12,
      png: 30,
      jpeg: 12,
      webp: 12,
      u8: Infinity,
    };
    for (const data of [gaussian(n, 1), reluLike(n, 16, 2)]) {
      for (const codec of CODECS) {
        const x = dataFor(codec, data);
        const back = decode(encode({ data: x, shape }, { codec })).data;
        expect(snrDb(x, back)).toBeGreaterThanOrEqual(min[codec]);
      }
    }
  });

  it('per-channel int8 beats per-tensor int8 when channels have different ranges', () => {
    const shape = [8, 4, 4, 8];
    const n = count(shape);
    const data = gaussian(n, 3);
    for (let i = 0; i < n; i++) data[i] *= 2 ** (i % 8); // channel c has scale 2^c
    const perTensor = snrDb(data, decode(encode({ data, shape }, { codec: 'int8' })).data);
    const perChannel = snrDb(data, decode(encode({ data, shape }, { codec: 'int8-channel' })).data);
    expect(perChannel).toBeGreaterThan(perTensor + 3);
  });

  it('packs uint4 two per byte, odd counts included', () => {
    for (const n of [1, 2, 3, 7, 64, 65]) {
      const data = gaussian(n, n);
      const frame = encode({ data, shape: [n] }, { codec: 'uint4' });
      expect(peekHeader(frame).rawBytes).toBe(Math.ceil(n / 2));
      expect(decode(frame).data.length).toBe(n);
    }
  });

  it('decodes into a caller array without copying, and from misaligned frames', () => {
    const shape = [2, 3, 4];
    for (const codec of CODECS) {
      const frame = encode({ data: dataFor(codec, gaussian(2 * 3 * 4, 9)), shape }, { codec });
      const out = new Float32Array(100).fill(42);
      const back = decode(frame, { out });
      expect(back.data.buffer).toBe(out.buffer);
      expect(back.data.length).toBe(24);
      expect(out[24]).toBe(42);
      const shifted = new Uint8Array(frame.length + 1);
      shifted.set(frame, 1);
      const again = decode(shifted.subarray(1));
      expect(Array.from(again.data)).toEqual(Array.from(back.data));
    }
  });

  it('supports rank 1 to 8', () => {
    for (let rank = 1; rank <= 8; rank++) {
      const shape = Array.from({ length: rank }, (_, i) => (i % 2) + 1);
      const data = gaussian(count(shape), rank);
      const back = decode(encode({ data, shape }, { codec: 'int8-channel', compress: 'deflate' }));
      expect(back.shape).toEqual(shape);
    }
  });
});
