import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODECS, COMPRESSIONS, compressionAvailable, decode, encode, peekHeader } from '../src/index.js';
import { dataFor } from './helpers.js';

const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const tensorArb = fc
  .array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.float32Array({ minLength: count(shape), maxLength: count(shape), noNaN: true, noDefaultInfinity: true }),
    ),
  );

/** A copy of `frame` placed at byte `offset` of a larger buffer (with junk around it). */
function atOffset(frame: Uint8Array, offset: number): Uint8Array {
  const buf = new Uint8Array(offset + frame.length + 7).fill(0xa5);
  buf.set(frame, offset);
  return buf.subarray(offset, offset + frame.length);
}

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const usable = COMPRESSIONS.filter((c) => compressionAvailable(c));

describe('frames at any byte offset of their buffer', () => {
  for (const codec of CODECS) {
    for (const compress of usable) {
      it(`${codec} + ${compress}: decode and peekHeader give the same result at every offset`, () => {
        fc.assert(
          fc.property(tensorArb, fc.integer({ min: 0, max: 15 }), fc.boolean(), ([shape, data], offset, asBuffer) => {
            const frame = encode({ data: dataFor(codec, data), shape }, { codec, compress });
            const ref = decode(frame);
            let moved = atOffset(frame, offset);
            if (asBuffer) moved = Buffer.from(moved.buffer, moved.byteOffset, moved.length); // as gRPC hands it over
            expect(moved.byteOffset % 16).toBe(offset);
            expect(peekHeader(moved)).toEqual(peekHeader(frame));
            const back = decode(moved);
            expect(back.shape).toEqual(shape);
            expect(bits(back.data)).toEqual(bits(ref.data)); // bit-identical to the aligned decode
            // and into a caller's array
            const out = new Float32Array(data.length + 3);
            expect(bits(decode(moved, { out }).data)).toEqual(bits(ref.data));
            // the frame's bytes are not modified by decoding
            expect(Array.from(moved)).toEqual(Array.from(frame));
          }),
          { numRuns: compress === 'none' ? 60 : 15 },
        );
      });
    }
  }

  it('f32 at an odd offset keeps NaN payloads, -0 and infinities bit-exact', () => {
    const data = new Float32Array([NaN, -0, Infinity, -Infinity, 1.5, -3.25e-40]);
    new Uint32Array(data.buffer)[0] = 0x7fc01234;
    for (const codec of ['f32', 'f16']) {
      const frame = encode({ data, shape: [6] }, { codec });
      for (const offset of [1, 2, 3, 5, 7]) {
        expect(bits(decode(atOffset(frame, offset)).data)).toEqual(bits(decode(frame).data));
      }
    }
  });

  it('detects corruption of a frame at an odd offset', () => {
    const data = new Float32Array(64).map((_, i) => i / 7);
    const frame = encode({ data, shape: [8, 8] }, { codec: 'f16' });
    const moved = atOffset(frame, 3);
    moved[moved.length - 5] ^= 1;
    expect(() => decode(moved)).toThrow(/crc-mismatch/);
  });
});
