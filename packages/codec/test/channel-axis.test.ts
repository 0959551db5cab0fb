import { describe, expect, it } from 'vitest';
import { CodecError, decode, encode, peekHeader, snrDb } from '../src/index.js';
import { forgeFrame, gaussian } from './helpers.js';

const reasonOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof CodecError) return e.reason;
    throw e;
  }
  return 'no error';
};

/** NCHW [n, C, H, W] of N(0,1) values, channel c scaled by 10^(c/5): scales from 1 to 10^((C-1)/5). */
function nchw(n: number, c: number, h: number, w: number, seed: number): Float32Array {
  const data = gaussian(n * c * h * w, seed);
  for (let i = 0; i < data.length; i++) data[i] *= 10 ** ((Math.floor(i / (h * w)) % c) / 5);
  return data;
}

describe('per-channel quantisation along any axis (channelAxis)', () => {
  const shape = [2, 16, 14, 14];
  const data = nchw(2, 16, 14, 14, 5);

  it('NCHW with channelAxis 1: one group per real channel, recorded in a version 2 frame', () => {
    for (const codec of ['int8-channel', 'uint4']) {
      const frame = encode({ data, shape }, { codec, channelAxis: 1 });
      const h = peekHeader(frame);
      expect(h.version).toBe(2);
      expect(h.channelAxis).toBe(1);
      expect(frame[13]).toBe(1);
      expect(h.quant!.axis).toBe('channel');
      expect(h.quant!.scales.length).toBe(16);
      // every value within half a step of its own channel's scale
      const back = decode(frame).data;
      for (let i = 0; i < data.length; i++) {
        const s = h.quant!.scales[Math.floor(i / 196) % 16];
        expect(Math.abs(back[i] - data[i])).toBeLessThanOrEqual(s * 0.5001 + Math.abs(data[i]) * 1e-6);
      }
    }
  });

  it('beats grouping along the width on channels of very different scales', () => {
    const back = (channelAxis?: number) => decode(encode({ data, shape }, { codec: 'int8-channel', channelAxis })).data;
    const channel0 = (x: Float32Array) => Float32Array.from({ length: 2 * 196 }, (_, i) => x[(i < 196 ? 0 : 16 * 196) + (i % 196)]);
    // the whole tensor (dominated by the largest channel) gains, the smallest channel (1/1000 of the largest) far more
    expect(snrDb(data, back(1))).toBeGreaterThan(snrDb(data, back()) + 3);
    expect(snrDb(channel0(data), channel0(back(1)))).toBeGreaterThan(snrDb(channel0(data), channel0(back())) + 20);
  });

  it('the last axis (default, -1 or rank - 1) writes the same version 1 frame as before the option', () => {
    const plain = encode({ data, shape }, { codec: 'int8-channel' });
    expect(plain[4]).toBe(1);
    expect(plain[13]).toBe(0);
    expect(encode({ data, shape }, { codec: 'int8-channel', channelAxis: -1 })).toEqual(plain);
    expect(encode({ data, shape }, { codec: 'int8-channel', channelAxis: 3 })).toEqual(plain);
    // codecs without per-channel groups ignore the option
    for (const codec of ['f32', 'f16', 'int8']) {
      expect(encode({ data, shape }, { codec, channelAxis: 1 })).toEqual(encode({ data, shape }, { codec }));
    }
  });

  it('merges channels into blocks along the axis when each has few values', () => {
    const small = nchw(1, 64, 2, 2, 9); // 4 values per channel: blocks of 8 channels reach 32
    const h = peekHeader(encode({ data: small, shape: [1, 64, 2, 2] }, { codec: 'int8-channel', channelAxis: 1 }));
    expect(h.quant!.axis).toBe('group');
    expect(h.quant!.channelsPerGroup).toBe(8);
    const back = decode(encode({ data: small, shape: [1, 64, 2, 2] }, { codec: 'uint4', channelAxis: -3, compress: 'deflate' }));
    expect(snrDb(small, back.data)).toBeGreaterThan(12);
  });

  it('refuses an axis outside the shape, and forged frames that break the rule', () => {
    for (const channelAxis of [4, -5, 1.5]) {
      expect(reasonOf(() => encode({ data, shape }, { codec: 'int8-channel', channelAxis }))).toBe('invalid-option');
    }
    const base = { codecId: 3, shape: [2, 3], scales: [0.5, 0.5, 0.5], zeroPoints: [0, 0, 0], rawBytes: 6, payload: new Uint8Array(6) };
    // a version 2 frame whose axis is the last dimension (version 1 says that), and byte 13 in version 1
    const lastAxisV2 = forgeFrame({ ...base, version: 2, byte13: 1 });
    expect(reasonOf(() => decode(lastAxisV2))).toBe('bad-header');
    // version 2, axis 0: 2 channels need a divisor of 2 groups, the frame has 3
    const v2 = forgeFrame({ ...base, version: 2, byte13: 0 });
    expect(reasonOf(() => decode(v2))).toBe('bad-quant-params');
    const v1Flag = forgeFrame({ ...base, byte13: 1 });
    expect(reasonOf(() => decode(v1Flag))).toBe('bad-header');
    // a hand-built version 2 frame decodes as the README says: x = (q - z[c]) * s[c], c along dimension 0
    const ok = forgeFrame({
      codecId: 3,
      version: 2,
      byte13: 0,
      shape: [2, 3],
      scales: [1, 2],
      zeroPoints: [0, 1],
      rawBytes: 6,
      payload: Uint8Array.of(1, 2, 3, 1, 2, 3),
    });
    expect(Array.from(decode(ok).data)).toEqual([1, 2, 3, 0, 2, 4]);
  });
});
