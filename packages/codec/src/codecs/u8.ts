import { CodecError } from '../errors.js';
import type { Codec } from '../types.js';

/** Index and value of the first element that is not an integer in 0..255, or -1. */
function firstBad(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    // NaN fails both comparisons; x % 1 is NaN for ±Infinity, which they already exclude
    if (!(x >= 0 && x <= 255) || x % 1 !== 0) return i;
  }
  return -1;
}

/**
 * One byte per value, for tensors of integers 0..255 only (class maps, uint8 images): lossless,
 * no parameters. Anything else is refused with the first bad element.
 */
export const u8: Codec = {
  name: 'u8',
  id: 8,
  description: 'one byte per value, integers 0..255 only, lossless',
  elementWidth: 1,
  maxQ: 0,
  groups: () => 0,
  acceptsGroups: (_channels, groups) => groups === 0,
  payloadBytes: (count) => count,
  encode(data, _channels, payload) {
    const bad = firstBad(data);
    if (bad >= 0) {
      const x = data[bad];
      throw new CodecError(
        Number.isFinite(x) ? 'out-of-range-input' : 'non-finite-input',
        `u8 carries integers 0..255 only: element ${bad} is ${x}`,
      );
    }
    payload.set(data);
    return null;
  },
  decode(payload, _channels, _params, out) {
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = payload[i];
  },
};
