import type { Codec } from '../types.js';
import { gridOverflows, saturate, tensorParams } from './affine.js';

/**
 * 8-bit affine quantisation, one scale and zero point for the whole tensor:
 * byte q in [0,255], x ≈ (q − zeroPoint) · scale. Zero is exact.
 */
export const int8: Codec = {
  name: 'int8',
  id: 2,
  description: '8-bit affine quantisation, one scale per tensor',
  elementWidth: 1,
  maxQ: 255,
  groups: () => 1,
  acceptsGroups: (_channels, groups) => groups === 1,
  payloadBytes: (count) => count,
  encode(data, _channels, payload) {
    const p = tensorParams(data, 255);
    const inv = 1 / p.scales[0];
    const zh = p.zeroPoints[0] + 0.5; // + 0.5, then the Uint8Array store truncates: round half up
    const n = data.length;
    for (let i = 0; i < n; i++) {
      const v = data[i] * inv + zh;
      payload[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    return p;
  },
  decode(payload, _channels, params, out) {
    const s = params!.scales[0];
    const z = params!.zeroPoints[0];
    const n = out.length;
    if (gridOverflows(params!, 255)) {
      for (let i = 0; i < n; i++) out[i] = saturate((payload[i] - z) * s);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = (payload[i] - z) * s;
  },
};
