import { describe, expect, it } from 'vitest';
import { swapBytes } from '../src/endian.js';
import { CODECS, CodecError, COMPRESSIONS, decode, encode, getCodec, peekHeader, snrDb } from '../src/index.js';
import { dataFor, gaussian } from './helpers.js';

describe('snrDb', () => {
  it('is 10·log10(signal/noise), Infinity for identical arrays', () => {
    const a = Float32Array.of(3, 4);
    expect(snrDb(a, a)).toBe(Infinity);
    expect(snrDb(a, Float32Array.of(3, 3))).toBeCloseTo(10 * Math.log10(25), 10);
    expect(snrDb(Float32Array.of(0, 0), Float32Array.of(1, 0))).toBe(-Infinity);
    expect(() => snrDb(a, new Float32Array(3))).toThrow(CodecError);
  });
});

describe('registry and header', () => {
  it('lists codecs and stages by CLI-usable names', () => {
    expect(CODECS).toEqual(['f32', 'f16', 'int8', 'int8-channel', 'uint4', 'png', 'jpeg', 'webp', 'u8']);
    expect(COMPRESSIONS).toEqual(['none', 'deflate', 'brotli', 'zstd']);
    expect(getCodec('uint4').maxQ).toBe(15);
    expect(() => getCodec('f8')).toThrow(/unknown-codec: unknown codec "f8"; valid: f32, f16, int8, int8-channel, uint4/);
  });

  it('peekHeader reads a header-only prefix; decode of that prefix is truncated', () => {
    const frame = encode({ data: gaussian(2 * 5 * 3, 4), shape: [2, 5, 3] }, { codec: 'uint4', compress: 'brotli', minGroupValues: 8 });
    const h = peekHeader(frame);
    const prefix = frame.subarray(0, h.headerBytes);
    expect(peekHeader(prefix)).toEqual(h);
    expect(h).toMatchObject({
      version: 1,
      codec: 'uint4',
      compress: 'brotli',
      dtype: 'float32',
      shape: [2, 5, 3],
      elements: 30,
      rawBytes: 15,
      frameBytes: frame.length,
    });
    expect(h.quant!.axis).toBe('channel');
    expect(h.quant!.scales.length).toBe(3);
    expect(() => decode(prefix)).toThrow(/truncated/);
    expect(peekHeader(encode({ data: gaussian(4, 1), shape: [4] }, { codec: 'int8' })).quant!.axis).toBe('tensor');
    expect(peekHeader(encode({ data: gaussian(4, 1), shape: [4] }, { codec: 'f16' })).quant).toBeNull();
  });

  it('decodes frames held in Node Buffers, pooled ones included', () => {
    const data = gaussian(30, 5);
    for (const codec of CODECS) {
      const frame = encode({ data: dataFor(codec, data), shape: [5, 6] }, { codec, compress: 'deflate' });
      const pooled = Buffer.concat([Buffer.from([7]), Buffer.from(frame)]).subarray(1);
      expect(Array.from(decode(pooled).data)).toEqual(Array.from(decode(frame).data));
      expect(peekHeader(Buffer.from(frame)).codec).toBe(codec);
    }
  });

  it('swaps element bytes for big-endian hosts', () => {
    const b = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    swapBytes(b, 2);
    expect(Array.from(b)).toEqual([2, 1, 4, 3, 6, 5, 8, 7]);
    swapBytes(b, 2);
    swapBytes(b, 4);
    expect(Array.from(b)).toEqual([4, 3, 2, 1, 8, 7, 6, 5]);
    swapBytes(b, 1);
    expect(Array.from(b)).toEqual([4, 3, 2, 1, 8, 7, 6, 5]);
  });
});
