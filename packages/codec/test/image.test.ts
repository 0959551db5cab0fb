import { describe, expect, it } from 'vitest';
import { CodecError, IMAGE_CODECS, crc32, decode, encode, getCodec, imageGeometry, peekHeader, snrDb } from '../src/index.js';

/** A smooth 8-bit RGB picture in [0, 1] (what a camera sends), NHWC. */
function picture(h: number, w: number): Float32Array {
  const x = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++)
    for (let i = 0; i < w; i++)
      for (let c = 0; c < 3; c++)
        x[(y * w + i) * 3 + c] = Math.round(255 * (0.5 + 0.25 * Math.sin(i / 9 + c) + 0.2 * Math.cos(y / 13))) / 255;
  return x;
}

/** The same picture as NCHW planes. */
function planes(x: Float32Array, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let c = 0; c < 3; c++) for (let p = 0; p < h * w; p++) out[c * h * w + p] = x[p * 3 + c]!;
  return out;
}

describe('image codecs (sharp)', () => {
  const [h, w] = [64, 80];
  const rgb = picture(h, w);

  it('are registered like the tensor codecs: png, jpeg, webp', () => {
    expect(IMAGE_CODECS).toEqual(['png', 'jpeg', 'webp']);
    for (const c of IMAGE_CODECS) expect(getCodec(c).image?.format).toBe(c);
  });

  it('png is lossless on an 8-bit picture (NHWC and NCHW); jpeg and webp are smaller and close', () => {
    const raw = rgb.length * 4;
    for (const [shape, data] of [
      [[1, h, w, 3], rgb],
      [[1, 3, h, w], planes(rgb, h, w)],
    ] as const) {
      const p = decode(encode({ data, shape: [...shape] }, { codec: 'png' }));
      expect(p.shape).toEqual([...shape]);
      expect(p.codec).toBe('png');
      let maxErr = 0;
      for (let i = 0; i < data.length; i++) maxErr = Math.max(maxErr, Math.abs(p.data[i]! - data[i]!));
      expect(maxErr).toBeLessThan(1e-6); // the picture spans 0..1 exactly in 8-bit steps
      for (const codec of ['jpeg', 'webp']) {
        const f = encode({ data, shape: [...shape] }, { codec });
        expect(f.length).toBeLessThan(raw / 8);
        expect(snrDb(data, decode(f).data)).toBeGreaterThan(25);
      }
    }
  });

  it('quality changes the size of jpeg and webp; bad qualities are refused', () => {
    const shape = [1, h, w, 3];
    for (const codec of ['jpeg', 'webp']) {
      const lo = encode({ data: rgb, shape }, { codec, quality: 20 }).length;
      const hi = encode({ data: rgb, shape }, { codec, quality: 95 }).length;
      expect(lo).toBeLessThan(hi);
      for (const quality of [0, 101, 2.5])
        expect(() => encode({ data: rgb, shape }, { codec, quality })).toThrow(/quality must be an integer in 1\.\.100/);
    }
  });

  it('the header tells the image size; a corrupt image (CRCs made valid) is a CodecError', () => {
    const f = encode({ data: rgb, shape: [1, h, w, 3] }, { codec: 'png' });
    const hd = peekHeader(f);
    expect(hd.codec).toBe('png');
    expect(hd.rawBytes).toBe(hd.payloadBytes);
    expect(hd.frameBytes).toBe(f.length);
    // a payload that is not an image, with both CRCs recomputed (a forger): decompression-failed, not a crash
    const forged = f.slice();
    const H = hd.headerBytes;
    forged.fill(0x41, H);
    const v = new DataView(forged.buffer);
    v.setUint32(H - 8, crc32(forged.subarray(H)), true);
    v.setUint32(H - 4, crc32(forged.subarray(0, H - 4)), true);
    expect(() => decode(forged)).toThrow(CodecError);
    try {
      decode(forged);
    } catch (e) {
      expect((e as CodecError).reason).toBe('decompression-failed');
    }
  });

  it('lays tensors out as images: colour last (NHWC), colour planes (NCHW), else grey rows', () => {
    expect(imageGeometry([2, 28, 28, 1])).toEqual({ width: 28, height: 56, channels: 1, planar: false });
    expect(imageGeometry([1, 3, 224, 224])).toEqual({ width: 224, height: 224, channels: 3, planar: true });
    expect(imageGeometry([1, 7, 7, 64])).toEqual({ width: 64, height: 49, channels: 1, planar: false });
  });
});
