import { describe, expect, it } from 'vitest';
import { CodecError, decode, encode, peekHeader, snrDb } from '../src/index.js';
import { forgeFrame, gaussian, reluLike } from './helpers.js';

const reasonOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof CodecError) return e.reason;
    throw e;
  }
  return 'no error';
};

describe('quantisation groups', () => {
  it('a flattened one-sample tensor [1,1024]: uint4 and int8-channel frames are smaller than f32 and int8', () => {
    const data = reluLike(1024, 1024, 7);
    const shape = [1, 1024];
    const size = (codec: string): number => encode({ data, shape }, { codec }).length;
    expect(size('uint4')).toBeLessThan(size('int8'));
    expect(size('uint4')).toBeLessThan(size('f32') / 4);
    expect(size('int8-channel')).toBeLessThan(size('f32') / 3);
    expect(size('int8-channel')).toBeLessThanOrEqual(size('int8') + 5 * 32);
    for (const codec of ['uint4', 'int8-channel']) {
      const h = peekHeader(encode({ data, shape }, { codec }));
      expect(h.quant!.axis).toBe('group');
      expect(h.quant!.scales.length).toBe(32); // 1024 channels × 1 value, blocks of 32 channels
      expect(h.quant!.channelsPerGroup).toBe(32);
    }
    // forcing one group per channel reproduces the old, larger frame
    expect(encode({ data, shape }, { codec: 'uint4', minGroupValues: 1 }).length).toBeGreaterThan(size('f32') / 2);
  });

  it('keeps one group per channel for conv activations [N,14,14,64]', () => {
    for (const n of [1, 4]) {
      const shape = [n, 14, 14, 64];
      const data = reluLike(n * 14 * 14 * 64, 64, n);
      for (const codec of ['uint4', 'int8-channel']) {
        const h = peekHeader(encode({ data, shape }, { codec }));
        expect(h.quant!.axis).toBe('channel');
        expect(h.quant!.scales.length).toBe(64);
      }
    }
  });

  it('merges into one group when the whole tensor has fewer values than minGroupValues', () => {
    const h = peekHeader(encode({ data: gaussian(15, 1), shape: [1, 15] }, { codec: 'int8-channel' }));
    expect(h.quant!.axis).toBe('tensor');
    expect(h.quant!.scales.length).toBe(1);
    // 7 channels (prime) with 4 values each: no block of 2..6 channels divides 7, so per tensor
    expect(peekHeader(encode({ data: gaussian(28, 2), shape: [4, 7] }, { codec: 'uint4' })).quant!.scales.length).toBe(1);
  });

  it('grouped int8-channel stays within half a step of each group and beats per-tensor int8 on [1,1024] with varied ranges', () => {
    const data = gaussian(1024, 9);
    for (let i = 0; i < 1024; i++) data[i] *= 1 + Math.floor(i / 128) * 4; // ranges differ between blocks of channels
    const shape = [1, 1024];
    const frame = encode({ data, shape }, { codec: 'int8-channel' });
    const h = peekHeader(frame);
    const back = decode(frame).data;
    for (let i = 0; i < 1024; i++) {
      const s = h.quant!.scales[Math.floor(i / h.quant!.channelsPerGroup)];
      expect(Math.abs(back[i] - data[i])).toBeLessThanOrEqual(s * 0.5001 + Math.abs(data[i]) * 1e-6);
    }
    const perTensor = snrDb(data, decode(encode({ data, shape }, { codec: 'int8' })).data);
    expect(snrDb(data, back)).toBeGreaterThan(perTensor + 3);
  });

  it('a decoder follows the group count the frame declares (1, a divisor of C, or C)', () => {
    // shape [2, 4]: channels 0..3, rows 2; payload bytes q
    const payload = Uint8Array.of(10, 20, 30, 40, 50, 60, 70, 80);
    const cases: { scales: number[]; zeroPoints: number[]; group: (c: number) => number }[] = [
      { scales: [0.5], zeroPoints: [10], group: () => 0 },
      { scales: [0.5, 2], zeroPoints: [10, 30], group: (c) => (c < 2 ? 0 : 1) },
      { scales: [0.5, 1, 2, 4], zeroPoints: [1, 2, 3, 4], group: (c) => c },
    ];
    for (const k of cases) {
      const frame = forgeFrame({ codecId: 3, shape: [2, 4], scales: k.scales, zeroPoints: k.zeroPoints, rawBytes: 8, payload });
      const back = decode(frame).data;
      for (let i = 0; i < 8; i++) {
        const g = k.group(i % 4);
        expect(back[i]).toBe((payload[i] - k.zeroPoints[g]) * k.scales[g]);
      }
    }
    // uint4 with two groups of two channels: q = low nibble, high nibble
    const u = forgeFrame({
      codecId: 4,
      shape: [1, 4],
      scales: [1, 0.25],
      zeroPoints: [0, 8],
      rawBytes: 2,
      payload: Uint8Array.of(0x21, 0xf9),
    });
    expect(Array.from(decode(u).data)).toEqual([1, 2, (9 - 8) * 0.25, (15 - 8) * 0.25]);
  });

  it('refuses group counts that do not divide the channels, and bad minGroupValues', () => {
    const payload = new Uint8Array(6);
    expect(
      reasonOf(() =>
        decode(forgeFrame({ codecId: 3, shape: [1, 6], scales: [1, 1, 1, 1], zeroPoints: [0, 0, 0, 0], rawBytes: 6, payload })),
      ),
    ).toBe('bad-quant-params');
    expect(() =>
      decode(forgeFrame({ codecId: 3, shape: [1, 6], scales: [1, 1, 1, 1], zeroPoints: [0, 0, 0, 0], rawBytes: 6, payload })),
    ).toThrow(/needs a divisor of 6 quantisation groups, frame has 4/);
    expect(reasonOf(() => decode(forgeFrame({ codecId: 3, shape: [1, 6], scales: [], zeroPoints: [], rawBytes: 6, payload })))).toBe(
      'bad-quant-params',
    );
    expect(
      reasonOf(() =>
        decode(
          forgeFrame({
            codecId: 4,
            shape: [1, 2],
            scales: [1, 1, 1, 1],
            zeroPoints: [0, 0, 0, 0],
            rawBytes: 1,
            payload: new Uint8Array(1),
          }),
        ),
      ),
    ).toBe('bad-quant-params');
    for (const m of [0, -1, 1.5, NaN]) {
      expect(reasonOf(() => encode({ data: new Float32Array(4), shape: [4] }, { codec: 'uint4', minGroupValues: m }))).toBe(
        'invalid-option',
      );
    }
  });
});
