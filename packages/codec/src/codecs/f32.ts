import type { Codec } from '../types.js';

/** Raw IEEE float32, little-endian: lossless, 4 bytes per element. Carries NaN/Inf. */
export const f32: Codec = {
  name: 'f32',
  id: 0,
  description: 'raw float32, lossless',
  elementWidth: 4,
  maxQ: 0,
  groups: () => 0,
  acceptsGroups: (_channels, groups) => groups === 0,
  payloadBytes: (count) => count * 4,
  encode(data, _channels, payload) {
    payload.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return null;
  },
  decode(payload, _channels, _params, out) {
    if ((payload.byteOffset & 3) === 0) {
      out.set(new Float32Array(payload.buffer, payload.byteOffset, out.length));
    } else {
      // misaligned (frame at any offset in its buffer): copy the bytes into out's own bytes
      new Uint8Array(out.buffer, out.byteOffset, out.length * 4).set(payload.subarray(0, out.length * 4));
    }
  },
};
