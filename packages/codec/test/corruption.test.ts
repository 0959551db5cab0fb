import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODECS, COMPRESSIONS, CodecError, compressionAvailable, crc32, decode, encode, peekHeader } from '../src/index.js';
import { dataFor, headerLength } from './helpers.js';

const usable = COMPRESSIONS.filter((c) => compressionAvailable(c));

/** A valid frame of any codec and stage, with small random shape and data. */
const frameArb = fc
  .record({
    codec: fc.constantFrom(...CODECS),
    compress: fc.constantFrom(...usable),
    shape: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
    seed: fc.integer(),
    axis: fc.nat(3),
  })
  .map(({ codec, compress, shape, seed, axis }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(seed + i * 1.7) * (1 + (i % 5));
    // any channel axis: per-channel codecs write version 2 frames when it is not the last
    return encode({ data: dataFor(codec, data), shape }, { codec, compress, channelAxis: axis % shape.length });
  });

/** Runs decode and returns the CodecError it threw (fails the test if it returned or threw anything else). */
function decodeError(frame: Uint8Array): CodecError {
  try {
    decode(frame);
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return err as CodecError;
  }
  throw new Error('decode accepted a corrupted frame');
}

describe('corrupted frames', () => {
  it('any single-byte change anywhere in a frame gives a CodecError', () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (frame, pos, xor) => {
        const bad = frame.slice();
        const at = pos % bad.length;
        bad[at] ^= xor;
        const e = decodeError(bad);
        // header bytes are caught by the header checks, payload bytes by the payload CRC
        if (at >= headerLength(frame)) expect(e.reason).toBe('crc-mismatch');
      }),
      { numRuns: 1500 },
    );
  });

  it('every byte position, flipped, is detected (exhaustive over one frame per codec)', () => {
    for (const codec of CODECS) {
      const data = Float32Array.from({ length: 24 }, (_, i) => Math.cos(i) * 3);
      const frame = encode({ data: dataFor(codec, data), shape: [2, 3, 4] }, { codec, compress: 'deflate' });
      for (let at = 0; at < frame.length; at++) {
        for (const xor of [0x01, 0x80, 0xff]) {
          const bad = frame.slice();
          bad[at] ^= xor;
          expect(() => decode(bad)).toThrow(CodecError);
        }
      }
    }
  });

  it('any truncation gives CodecError("truncated"), and trailing bytes give length-mismatch', () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), (frame, cut) => {
        const len = cut % frame.length;
        const e = decodeError(frame.subarray(0, len));
        expect(['truncated', 'bad-magic', 'unsupported-version']).toContain(e.reason);
        if (len >= 5) expect(e.reason).toBe('truncated');
        const longer = new Uint8Array(frame.length + 1 + (cut % 7));
        longer.set(frame);
        expect(decodeError(longer).reason).toBe('length-mismatch');
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes, with or without a valid-looking magic and version, give CodecError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, withMagic) => {
        if (withMagic && bytes.length >= 5) bytes.set([0x4d, 0x54, 0x4c, 0x53, 1]);
        decodeError(bytes);
        expect(() => peekHeader(bytes)).toThrow(CodecError);
      }),
      { numRuns: 1000 },
    );
  });

  it('changes that keep both CRCs valid (a forger) still give a valid tensor or a CodecError', () => {
    fc.assert(
      fc.property(frameArb, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), (frame, edits) => {
        const bad = frame.slice();
        for (const [pos, value] of edits) bad[pos % bad.length] = value;
        const v = new DataView(bad.buffer);
        const h = v.getUint32(8, true);
        if (h >= 40 && h <= bad.length) {
          v.setUint32(h - 8, crc32(bad.subarray(h)), true);
          v.setUint32(h - 4, crc32(bad.subarray(0, h - 4)), true);
        }
        try {
          const t = decode(bad);
          expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
        } catch (err) {
          expect(err).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('peekHeader catches any change in the header region', () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (frame, pos, xor) => {
        const bad = frame.slice();
        bad[pos % headerLength(frame)] ^= xor;
        expect(() => peekHeader(bad)).toThrow(CodecError);
      }),
      { numRuns: 500 },
    );
  });
});
