import { describe, expect, it } from 'vitest';
import { COMPRESSIONS, CodecError, compressionAvailable, decode, encode, headerSize, peekHeader } from '../src/index.js';

const reasonAndMessage = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof CodecError) return e.message;
    throw e;
  }
  return 'no error';
};

describe('u8: one byte per value, integers 0..255 only', () => {
  const shape = [2, 6, 7];
  const n = 2 * 6 * 7;
  const classes = Float32Array.from({ length: n }, (_, i) => (i * 37) % 256);
  classes[0] = 0;
  classes[1] = 255;

  it('round-trips exactly with every lossless stage; the payload is one byte per value', () => {
    for (const compress of COMPRESSIONS.filter((c) => compressionAvailable(c))) {
      const frame = encode({ data: classes, shape }, { codec: 'u8', compress });
      const h = peekHeader(frame);
      expect(h).toMatchObject({ version: 1, codec: 'u8', compress, rawBytes: n, quant: null, channelAxis: 2 });
      if (compress === 'none') expect(frame.length).toBe(headerSize(3, 0) + n);
      const back = decode(frame);
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data)).toEqual(Array.from(classes));
    }
  });

  it('a class map of few classes deflates well below a byte per value', () => {
    const map = Float32Array.from({ length: 96 * 128 }, (_, i) => (Math.floor((i % 128) / 32) + Math.floor(i / 128 / 24)) % 5);
    const frame = encode({ data: map, shape: [1, 96, 128] }, { codec: 'u8', compress: 'deflate' });
    expect(frame.length).toBeLessThan((96 * 128) / 10);
    expect(Array.from(decode(frame).data)).toEqual(Array.from(map));
  });

  it('refuses anything but integers 0..255, naming the first bad element', () => {
    const cases: [number, string][] = [
      [3.5, 'out-of-range-input: u8 carries integers 0..255 only: element 4 is 3.5'],
      [256, 'out-of-range-input: u8 carries integers 0..255 only: element 4 is 256'],
      [-1, 'out-of-range-input: u8 carries integers 0..255 only: element 4 is -1'],
      [Number.NaN, 'non-finite-input: u8 carries integers 0..255 only: element 4 is NaN'],
      [Number.POSITIVE_INFINITY, 'non-finite-input: u8 carries integers 0..255 only: element 4 is Infinity'],
    ];
    for (const [bad, message] of cases) {
      const data = Float32Array.from({ length: 8 }, (_, i) => i);
      data[4] = bad;
      data[6] = 1000; // a later bad value is not the one named
      expect(reasonAndMessage(() => encode({ data, shape: [8] }, { codec: 'u8' }))).toBe(message);
    }
  });
});
