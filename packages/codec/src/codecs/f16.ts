import type { Codec } from '../types.js';
import { halfBits, halfTable } from './half.js';

/**
 * IEEE binary16, little-endian, round to nearest even; subnormals, ±Inf and NaN kept.
 * Encode works on float bits (no Math.fround); decode is one lookup in a 65536-entry table.
 */
export const f16: Codec = {
  name: 'f16',
  id: 1,
  description: 'IEEE half precision (round to nearest even), 2 bytes per element',
  elementWidth: 2,
  maxQ: 0,
  groups: () => 0,
  acceptsGroups: (_channels, groups) => groups === 0,
  payloadBytes: (count) => count * 2,
  encode(data, _channels, payload) {
    const src = new Uint32Array(data.buffer, data.byteOffset, data.length);
    const dst = new Uint16Array(payload.buffer, payload.byteOffset, data.length);
    const n = src.length;
    for (let i = 0; i < n; i++) {
      const u = src[i];
      const a = u & 0x7fffffff;
      // fast path, inlined: result is a normal half (same arithmetic as halfBits)
      dst[i] =
        a >= 0x38800000 && a < 0x47800000 ? ((u >>> 16) & 0x8000) | ((a - 0x38000000 + 0x0fff + ((a >>> 13) & 1)) >>> 13) : halfBits(u);
    }
    return null;
  },
  decode(payload, _channels, _params, out) {
    const lut = halfTable();
    const n = out.length;
    if ((payload.byteOffset & 1) === 0) {
      const src = new Uint16Array(payload.buffer, payload.byteOffset, n);
      for (let i = 0; i < n; i++) out[i] = lut[src[i]];
    } else {
      // misaligned: assemble each little-endian half from its two bytes (no copy, no allocation)
      for (let i = 0, k = 0; i < n; i++, k += 2) out[i] = lut[payload[k] | (payload[k + 1] << 8)];
    }
  },
};
