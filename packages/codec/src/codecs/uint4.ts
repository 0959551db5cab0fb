import type { Codec } from '../types.js';
import { acceptsChannelGroups, channelGroups, expandGroups, groupParams, saturate } from './affine.js';

/**
 * 4-bit affine quantisation per channel (the frame's channel axis, as int8-channel), or per block of consecutive channels
 * when channels have few values (see channelGroups); two values per byte: element 2k in the low
 * nibble, 2k+1 in the high nibble (a final odd element leaves the high nibble 0).
 * q in [0,15], x ≈ (q − zeroPoint[g(c)]) · scale[g(c)].
 */
export const uint4: Codec = {
  name: 'uint4',
  id: 4,
  description: '4-bit affine quantisation per channel (or channel block), two values per byte',
  elementWidth: 1,
  maxQ: 15,
  perChannel: true,
  groups: channelGroups,
  acceptsGroups: acceptsChannelGroups,
  payloadBytes: (count) => (count + 1) >>> 1,
  encode(data, channels, payload, groups, inner = 1) {
    const p = groupParams(data, channels, 15, groups, inner);
    const { scale: inv, zero: zh } = expandGroups(p, channels);
    for (let c = 0; c < channels; c++) {
      inv[c] = 1 / inv[c];
      zh[c] += 0.5; // zero point + 0.5: round half up by truncation
    }
    const n = data.length;
    if ((channels & 1) === 0 && inner === 1) {
      // even channel count: an element pair never straddles a row, channels c and c+1
      for (let base = 0; base < n; base += channels) {
        for (let c = 0; c < channels; c += 2) {
          let v0 = data[base + c] * inv[c] + zh[c];
          let v1 = data[base + c + 1] * inv[c + 1] + zh[c + 1];
          v0 = v0 < 0 ? 0 : v0 > 15 ? 15 : v0;
          v1 = v1 < 0 ? 0 : v1 > 15 ? 15 : v1;
          payload[(base + c) >>> 1] = v0 | 0 | ((v1 | 0) << 4);
        }
      }
      return p;
    }
    // element by element: channel c for `inner` consecutive elements, then the next
    let c = 0;
    let k = 0;
    let low = 0;
    for (let i = 0; i < n; i++) {
      let v = data[i] * inv[c] + zh[c];
      v = v < 0 ? 0 : v > 15 ? 15 : v;
      const q = v | 0;
      if ((i & 1) === 0) low = q;
      else payload[i >>> 1] = low | (q << 4);
      if (++k === inner) {
        k = 0;
        if (++c === channels) c = 0;
      }
    }
    if ((n & 1) === 1) payload[n >>> 1] = low;
    return p;
  },
  decode(payload, channels, params, out, inner = 1) {
    // 16 decoded values per channel
    const { scale, zero } = expandGroups(params!, channels);
    const lut = new Float32Array(channels * 16);
    for (let c = 0; c < channels; c++) {
      const s = scale[c];
      const z = zero[c];
      for (let q = 0; q < 16; q++) lut[c * 16 + q] = saturate((q - z) * s);
    }
    const n = out.length;
    const wrap = channels * 16;
    if ((channels & 1) === 0 && inner === 1) {
      // even channel count: byte k holds channels (2k mod C) and (2k+1 mod C) of one row
      const bytes = n >>> 1;
      let cb2 = 0;
      for (let k = 0; k < bytes; k++) {
        const b = payload[k];
        out[2 * k] = lut[cb2 + (b & 15)];
        out[2 * k + 1] = lut[cb2 + 16 + (b >>> 4)];
        cb2 += 32;
        if (cb2 === wrap) cb2 = 0;
      }
      return;
    }
    let cb = 0;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const b = payload[i >>> 1];
      out[i] = lut[cb + ((i & 1) === 0 ? b & 15 : b >>> 4)];
      if (++k === inner) {
        k = 0;
        cb += 16;
        if (cb === wrap) cb = 0;
      }
    }
  },
};
