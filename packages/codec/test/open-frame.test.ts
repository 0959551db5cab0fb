import { describe, expect, it } from 'vitest';
import { CodecError, decode, encode, openFrame, peekHeader } from '../src/index.js';

const data = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i) * 3);

describe('openFrame', () => {
  it('gives peekHeader and decode of the frame from one parse', () => {
    for (const codec of ['f32', 'int8', 'int8-channel', 'uint4'] as const) {
      const frame = encode({ data, shape: [2, 3, 4] }, { codec, compress: 'deflate' });
      const opened = openFrame(frame);
      expect(opened.header).toEqual(peekHeader(frame));
      expect(opened.decode()).toEqual(decode(frame));
      const out = new Float32Array(30);
      expect(opened.decode({ out }).data).toEqual(decode(frame).data);
    }
  });

  it('refuses a bad header at once and a bad payload only when decoding', () => {
    const frame = encode({ data, shape: [2, 3, 4] }, { codec: 'int8' });
    const badHeader = frame.slice();
    badHeader[20] ^= 1;
    expect(() => openFrame(badHeader)).toThrow(CodecError);
    const badPayload = frame.slice();
    badPayload[badPayload.length - 1] ^= 1;
    const opened = openFrame(badPayload);
    expect(opened.header.shape).toEqual([2, 3, 4]);
    expect(() => opened.decode()).toThrow(expect.objectContaining({ reason: 'crc-mismatch' }));
    expect(() => openFrame(frame, { maxBytes: 8 })).toThrow(expect.objectContaining({ reason: 'too-large' }));
  });
});
