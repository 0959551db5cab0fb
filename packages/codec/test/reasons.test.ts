import { brotliCompressSync, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CodecError, type CodecErrorReason, compressionAvailable, crc32, decode, encode, getCompressor, peekHeader } from '../src/index.js';
import { forgeFrame, gaussian, patchHeader } from './helpers.js';

function reasonOf(fn: () => unknown): CodecErrorReason {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as CodecError).reason;
  }
  throw new Error('expected a CodecError');
}

const f32Bytes = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

describe('frame layout (README) and decode reasons', () => {
  it('encode writes exactly the documented bytes', () => {
    const data = Float32Array.of(1, -2, 3.5, 0);
    const ours = encode({ data, shape: [2, 2] }, { codec: 'f32' });
    const forged = forgeFrame({ codecId: 0, shape: [2, 2], rawBytes: 16, payload: f32Bytes([1, -2, 3.5, 0]) });
    expect(Array.from(ours)).toEqual(Array.from(forged));
    expect(ours.length).toBe(48 + 16); // 16 fixed + 8 dims + 4 groups + 4 pad + 16 trailer, then payload
    const q = encode({ data, shape: [2, 2] }, { codec: 'int8-channel' });
    const h = peekHeader(q);
    const forgedQ = forgeFrame({
      codecId: 3,
      shape: [2, 2],
      scales: Array.from(h.quant!.scales),
      zeroPoints: Array.from(h.quant!.zeroPoints),
      rawBytes: 4,
      payload: q.subarray(h.headerBytes),
    });
    expect(Array.from(q)).toEqual(Array.from(forgedQ));
    expect(h.headerBytes).toBe(56); // 16 + 8 dims + 4 groups + 8 scales + 2 zero points + 2 pad + 16
  });

  const good = encode({ data: gaussian(24, 1), shape: [2, 3, 4] }, { codec: 'int8' });

  it('names each header fault', () => {
    expect(reasonOf(() => decode(new Uint8Array(3)))).toBe('truncated');
    expect(reasonOf(() => decode(good.subarray(0, 30)))).toBe('truncated');
    expect(reasonOf(() => decode(good.subarray(0, good.length - 1)))).toBe('truncated');
    const magic = good.slice();
    magic[0] = 0x50;
    expect(reasonOf(() => decode(magic))).toBe('bad-magic');
    expect(reasonOf(() => decode(patchHeader(good, (v) => v.setUint8(5, 200))))).toBe('unknown-codec');
    expect(reasonOf(() => decode(patchHeader(good, (v) => v.setUint8(6, 9))))).toBe('unknown-compression');
    expect(reasonOf(() => decode(patchHeader(good, (v) => v.setUint8(7, 2))))).toBe('bad-header');
    expect(reasonOf(() => decode(patchHeader(good, (v) => v.setUint8(13, 1))))).toBe('bad-header');
    expect(reasonOf(() => decode(patchHeader(good, (v) => v.setUint8(12, 9))))).toBe('bad-header');
    expect(reasonOf(() => decode(patchHeader(good, (v) => v.setUint32(16, 0, true))))).toBe('bad-header');
    const dimFlip = good.slice();
    dimFlip[16] ^= 1;
    expect(reasonOf(() => decode(dimFlip))).toBe('header-crc-mismatch');
    const payloadFlip = good.slice();
    payloadFlip[payloadFlip.length - 1] ^= 1;
    expect(reasonOf(() => decode(payloadFlip))).toBe('crc-mismatch');
  });

  it('refuses a newer format version with a clear message', () => {
    const v3 = good.slice();
    v3[4] = 3;
    expect(() => decode(v3)).toThrow(/version 3 is newer than this reader, which reads versions 1 and 2/);
    expect(reasonOf(() => peekHeader(v3))).toBe('unsupported-version');
    v3[4] = 0;
    expect(reasonOf(() => decode(v3))).toBe('unsupported-version');
  });

  it('rejects bad quantisation parameters', () => {
    const base = { codecId: 2, shape: [4], rawBytes: 4, payload: new Uint8Array(4), zeroPoints: [0] };
    for (const s of [NaN, Infinity, -Infinity, 0, -1]) {
      expect(reasonOf(() => decode(forgeFrame({ ...base, scales: [s] })))).toBe('non-finite-scale');
    }
    expect(
      reasonOf(() =>
        decode(forgeFrame({ ...base, codecId: 4, shape: [4], scales: [1], zeroPoints: [16], rawBytes: 2, payload: new Uint8Array(2) })),
      ),
    ).toBe('bad-quant-params');
    expect(reasonOf(() => decode(forgeFrame({ ...base, scales: [1, 1], zeroPoints: [0, 0] })))).toBe('bad-quant-params');
    expect(reasonOf(() => decode(forgeFrame({ ...base, scales: [], zeroPoints: [] })))).toBe('bad-quant-params');
    expect(reasonOf(() => decode(forgeFrame({ ...base, scales: [1], headerBytes: 44 })))).toBe('bad-header');
    expect(reasonOf(() => decode(forgeFrame({ ...base, scales: [1], headerBytes: 32 })))).toBe('bad-header');
    // a well-formed, CRC-valid header that is 8 bytes longer than rank and groups call for
    const ok = forgeFrame({ ...base, scales: [1] });
    const long = new Uint8Array(ok.length + 8);
    long.set(ok.subarray(0, 32));
    long.set(ok.subarray(32), 40);
    const v = new DataView(long.buffer);
    v.setUint32(8, 56, true);
    v.setUint32(52, crc32(long.subarray(0, 52)), true);
    expect(reasonOf(() => decode(long))).toBe('bad-header');
  });

  it('rejects length mismatches', () => {
    expect(reasonOf(() => decode(forgeFrame({ codecId: 0, shape: [4], rawBytes: 12, payload: new Uint8Array(12) })))).toBe(
      'length-mismatch',
    );
    expect(reasonOf(() => decode(forgeFrame({ codecId: 0, shape: [4], rawBytes: 16, payload: new Uint8Array(12) })))).toBe(
      'length-mismatch',
    );
    expect(
      reasonOf(() => decode(forgeFrame({ codecId: 0, shape: [3], rawBytes: 12, payload: new Uint8Array(12), payloadBytes: 16 }))),
    ).toBe('length-mismatch');
  });

  it('checks declared size against maxBytes before allocating', () => {
    const huge = forgeFrame({ codecId: 0, shape: [65536, 65536, 65536, 4], rawBytes: 16, payload: new Uint8Array(16) });
    const before = process.memoryUsage().arrayBuffers;
    expect(reasonOf(() => decode(huge))).toBe('too-large');
    expect(reasonOf(() => peekHeader(huge))).toBe('too-large');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    const big = forgeFrame({ codecId: 1, shape: [4096, 4097], rawBytes: 2 * 4096 * 4097, payload: new Uint8Array(16), payloadBytes: 16 });
    expect(reasonOf(() => decode(big))).toBe('too-large'); // 64 MiB + 16 KiB of float32 > default limit
    const f = encode({ data: new Float32Array(1000), shape: [1000] }, { codec: 'f32' });
    expect(reasonOf(() => decode(f, { maxBytes: 3999 }))).toBe('too-large');
    expect(decode(f, { maxBytes: 4000 }).data.length).toBe(1000);
    expect(reasonOf(() => decode(f, { maxBytes: 0 }))).toBe('invalid-option');
    expect(reasonOf(() => decode(f, { out: new Float32Array(999) }))).toBe('output-too-small');
  });

  it('bounds decompression output (bombs) and reports broken streams', () => {
    const zeros = new Uint8Array(1 << 20);
    const spec = { codecId: 0, shape: [1000], rawBytes: 4000 };
    expect(reasonOf(() => decode(forgeFrame({ ...spec, compressionId: 1, payload: deflateRawSync(zeros) })))).toBe('decompression-bomb');
    expect(reasonOf(() => decode(forgeFrame({ ...spec, compressionId: 2, payload: brotliCompressSync(zeros) })))).toBe(
      'decompression-bomb',
    );
    expect(reasonOf(() => decode(forgeFrame({ ...spec, compressionId: 1, payload: deflateRawSync(new Uint8Array(3000)) })))).toBe(
      'decompression-failed',
    );
    expect(reasonOf(() => decode(forgeFrame({ ...spec, compressionId: 1, payload: Uint8Array.of(0xff, 0xfe, 1, 2, 3) })))).toBe(
      'decompression-failed',
    );
    expect(reasonOf(() => decode(forgeFrame({ ...spec, compressionId: 2, payload: Uint8Array.of(0xff, 0xfe, 1, 2, 3) })))).toBe(
      'decompression-failed',
    );
  });

  it('bounds zstd output, including a frame that hides its size behind a small first frame', () => {
    if (!compressionAvailable('zstd')) {
      expect(reasonOf(() => encode({ data: new Float32Array(4), shape: [4] }, { codec: 'f32', compress: 'zstd' }))).toBe(
        'compression-unavailable',
      );
      return;
    }
    const z = getCompressor('zstd');
    const spec = { codecId: 0, shape: [1000], rawBytes: 4000, compressionId: 3 };
    const bomb = z.compress(new Uint8Array(1 << 20), 1);
    expect(reasonOf(() => decode(forgeFrame({ ...spec, payload: bomb })))).toBe('decompression-bomb');
    const small = z.compress(new Uint8Array(100), 1);
    const two = new Uint8Array(small.length + bomb.length);
    two.set(small);
    two.set(bomb, small.length);
    expect(reasonOf(() => decode(forgeFrame({ ...spec, payload: two })))).toBe('decompression-bomb');
    expect(reasonOf(() => decode(forgeFrame({ ...spec, payload: small })))).toBe('decompression-failed');
    expect(reasonOf(() => decode(forgeFrame({ ...spec, payload: Uint8Array.of(1, 2, 3, 4, 5, 6) })))).toBe('decompression-failed');
  });
});

describe('encode validation', () => {
  it('rejects non-finite input for quantising codecs and carries it for float codecs', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const data = Float32Array.of(1, 2, bad, 4);
      for (const codec of ['int8', 'int8-channel', 'uint4']) {
        expect(reasonOf(() => encode({ data, shape: [2, 2] }, { codec }))).toBe('non-finite-input');
      }
      for (const codec of ['f32', 'f16']) {
        const back = decode(encode({ data, shape: [2, 2] }, { codec })).data[2];
        expect(Object.is(back, bad)).toBe(true);
      }
    }
  });

  it('rejects bad shapes, names and options with precise errors', () => {
    const data = new Float32Array(6);
    expect(reasonOf(() => encode({ data, shape: [2, 4] }, { codec: 'f32' }))).toBe('shape-mismatch');
    expect(reasonOf(() => encode({ data, shape: [] }, { codec: 'f32' }))).toBe('shape-mismatch');
    expect(reasonOf(() => encode({ data, shape: [6, 0] }, { codec: 'f32' }))).toBe('shape-mismatch');
    expect(reasonOf(() => encode({ data, shape: [1.5, 4] }, { codec: 'f32' }))).toBe('shape-mismatch');
    expect(reasonOf(() => encode({ data: new Float32Array(1), shape: [1, 1, 1, 1, 1, 1, 1, 1, 1] }, { codec: 'f32' }))).toBe(
      'shape-mismatch',
    );
    expect(() => encode({ data, shape: [6] }, { codec: 'int4' })).toThrow(
      /unknown codec "int4"; valid: f32, f16, int8, int8-channel, uint4/,
    );
    expect(() => encode({ data, shape: [6] }, { codec: 'f32', compress: 'lz4' })).toThrow(/valid: none, deflate, brotli, zstd/);
    expect(reasonOf(() => encode({ data, shape: [6] }, { codec: 'f32', compress: 'deflate', level: 12 }))).toBe('invalid-option');
    expect(reasonOf(() => encode({ data, shape: [6] }, { codec: 'f32', compress: 'brotli', level: 1.5 }))).toBe('invalid-option');
    expect(decode(encode({ data, shape: [6] }, { codec: 'f32', compress: 'brotli', level: 11 })).data.length).toBe(6);
    expect(decode(encode({ data, shape: [6] }, { codec: 'f32', compress: 'none', level: 5 })).data.length).toBe(6);
    expect(reasonOf(() => decode([1, 2, 3] as unknown as Uint8Array))).toBe('invalid-option');
    expect(reasonOf(() => peekHeader('MTLS' as unknown as Uint8Array))).toBe('invalid-option');
  });

  it('keeps decoded values finite for ranges at the float32 limit', () => {
    const max = 3.4028234663852886e38;
    const data = Float32Array.of(-max, max, 0, -max, 1e38, -1e38, max, 5);
    for (const codec of ['int8', 'int8-channel', 'uint4']) {
      const back = decode(encode({ data, shape: [4, 2] }, { codec })).data;
      expect(back.every((v) => Number.isFinite(v))).toBe(true);
      expect(back[2]).toBe(0);
    }
  });
});
