import type { Codec } from '../types.js';
import { channelParams, gridOverflows, rowBlock, saturate } from './affine.js';

/**
 * 8-bit affine quantisation with one scale and zero point per channel (last dimension):
 * byte q in [0,255], x ≈ (q − zeroPoint[c]) · scale[c].
 */
export const int8Channel: Codec = {
  name: 'int8-channel',
  id: 3,
  description: '8-bit affine quantisation, one scale per channel (last dimension)',
  elementWidth: 1,
  maxQ: 255,
  groups: (channels) => channels,
  payloadBytes: (count) => count,
  encode(data, channels, payload) {
    const p = channelParams(data, channels, 255);
    const inv = new Float64Array(channels);
    const zh = new Float64Array(channels); // zero point + 0.5: the Uint8Array store truncates
    for (let c = 0; c < channels; c++) {
      inv[c] = 1 / p.scales[c];
      zh[c] = p.zeroPoints[c] + 0.5;
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
    const s = new Float64Array(channels);
    const z = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      s[c] = params!.scales[c];
      z[c] = params!.zeroPoints[c];
    }
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
