import { CodecError } from './errors.js';

/**
 * Signal-to-noise ratio of `decoded` against `original` in dB:
 * 10·log10(Σ original² / Σ (original − decoded)²). Infinity when identical; -Infinity when the
 * original is all zero but the decoded is not. Both arrays must have the same length.
 */
export function snrDb(original: Float32Array, decoded: Float32Array): number {
  if (original.length !== decoded.length) {
    throw new CodecError('shape-mismatch', `snrDb needs equal lengths, got ${original.length} and ${decoded.length}`);
  }
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < original.length; i++) {
    const a = original[i];
    const e = a - decoded[i];
    signal += a * a;
    noise += e * e;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}
