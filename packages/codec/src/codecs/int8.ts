import type { Codec } from '../types.js';
import { saturate, tensorParams } from './affine.js';

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
  payloadBytes: (count) => count,
  encode(data, _channels, payload) {
    const p = tensorParams(data, 255);
    const inv = 1 / p.scales[0];
    const z = p.zeroPoints[0];
    // Uint8ClampedArray stores clamp(round-half-even(v), 0, 255): the quantiser in one store.
    const q = new Uint8ClampedArray(payload.buffer, payload.byteOffset, data.length);
    const n = data.length;
    for (let i = 0; i < n; i++) q[i] = data[i] * inv + z;
    return p;
  },
  decode(payload, _channels, params, out) {
    const s = params!.scales[0];
    const z = params!.zeroPoints[0];
    const lut = new Float32Array(256);
    for (let q = 0; q < 256; q++) lut[q] = saturate((q - z) * s);
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = lut[payload[i]];
  },
};
