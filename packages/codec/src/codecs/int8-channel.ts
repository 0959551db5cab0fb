import type { Codec } from '../types.js';
import { acceptsChannelGroups, channelGroups, expandGroups, gridOverflows, groupParams, rowBlock, saturate } from './affine.js';

/**
 * 8-bit affine quantisation with one scale and zero point per channel (last dimension), or per
 * block of consecutive channels when channels have few values (see channelGroups):
 * byte q in [0,255], x ≈ (q − zeroPoint[g(c)]) · scale[g(c)].
 */
export const int8Channel: Codec = {
  name: 'int8-channel',
  id: 3,
  description: '8-bit affine quantisation, one scale per channel (last dimension)',
  elementWidth: 1,
  maxQ: 255,
  groups: channelGroups,
  acceptsGroups: acceptsChannelGroups,
  payloadBytes: (count) => count,
  encode(data, channels, payload, groups) {
    const p = groupParams(data, channels, 255, groups);
    const { scale: inv, zero: zh } = expandGroups(p, channels);
    for (let c = 0; c < channels; c++) {
      inv[c] = 1 / inv[c];
      zh[c] += 0.5; // zero point + 0.5: the Uint8Array store truncates
    }
    const rows = data.length / channels;
    const block = rowBlock(channels); // cache blocks of rows, one channel at a time within a block
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
    return p;
  },
  decode(payload, channels, params, out) {
    const { scale: s, zero: z } = expandGroups(params!, channels);
    const n = out.length;
    if (gridOverflows(params!, 255)) {
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
