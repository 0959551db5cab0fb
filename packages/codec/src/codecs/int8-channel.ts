import type { Codec } from '../types.js';
import { acceptsChannelGroups, channelGroups, expandGroups, gridOverflows, groupParams, rowBlock, saturate } from './affine.js';

/**
 * 8-bit affine quantisation with one scale and zero point per channel (the frame's channel axis: the
 * last dimension unless the encode says `channelAxis`), or per block of consecutive channels when
 * channels have few values (see channelGroups): byte q in [0,255], x ≈ (q − zeroPoint[g(c)]) · scale[g(c)].
 */
export const int8Channel: Codec = {
  name: 'int8-channel',
  id: 3,
  description: '8-bit affine quantisation, one scale per channel (channel axis: last dimension, or as the frame says)',
  elementWidth: 1,
  maxQ: 255,
  perChannel: true,
  groups: channelGroups,
  acceptsGroups: acceptsChannelGroups,
  payloadBytes: (count) => count,
  encode(data, channels, payload, groups, inner = 1) {
    const p = groupParams(data, channels, 255, groups, inner);
    const { scale: inv, zero: zh } = expandGroups(p, channels);
    for (let c = 0; c < channels; c++) {
      inv[c] = 1 / inv[c];
      zh[c] += 0.5; // zero point + 0.5: the Uint8Array store truncates
    }
    if (inner === 1) encodeLast(data, channels, payload, inv, zh);
    else {
      // channel axis before the last: each channel's values of one outer index are one run
      for (let base = 0; base < data.length; base += channels * inner) {
        for (let c = 0; c < channels; c++) {
          const s = inv[c];
          const z = zh[c];
          const start = base + c * inner;
          for (let i = start; i < start + inner; i++) {
            const v = data[i] * s + z;
            payload[i] = v < 0 ? 0 : v > 255 ? 255 : v;
          }
        }
      }
    }
    return p;
  },
  decode(payload, channels, params, out, inner = 1) {
    const { scale: s, zero: z } = expandGroups(params!, channels);
    const n = out.length;
    const sat = gridOverflows(params!, 255);
    if (inner !== 1) {
      for (let base = 0; base < n; base += channels * inner) {
        for (let c = 0; c < channels; c++) {
          const start = base + c * inner;
          for (let i = start; i < start + inner; i++) {
            const v = (payload[i] - z[c]) * s[c];
            out[i] = sat ? saturate(v) : v;
          }
        }
      }
      return;
    }
    if (sat) {
      for (let base = 0; base < n; base += channels) {
        for (let c = 0; c < channels; c++) out[base + c] = saturate((payload[base + c] - z[c]) * s[c]);
      }
      return;
    }
    for (let base = 0; base < n; base += channels) {
      for (let c = 0; c < channels; c++) out[base + c] = (payload[base + c] - z[c]) * s[c];
    }
  },
};

/** Channels in the last dimension: cache blocks of rows, one channel at a time within a block. */
function encodeLast(data: Float32Array, channels: number, payload: Uint8Array, inv: Float64Array, zh: Float64Array): void {
  const rows = data.length / channels;
  const block = rowBlock(channels);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const end = Math.min(rows, r0 + block) * channels;
    for (let c = 0; c < channels; c++) {
      const s = inv[c];
      const z = zh[c];
      for (let i = r0 * channels + c; i < end; i += channels) {
        const v = data[i] * s + z;
        payload[i] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
}
