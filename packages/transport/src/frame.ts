import { CODECS } from '@mtl-split/codec';
import { invalidArgument } from './errors.js';

/** Codec names the server can decode (all codecs of @mtl-split/codec). */
export function codecNames(): string[] {
  return [...CODECS];
}

/**
 * Check a tensor's shape against a split point's per-sample shape; returns the number of samples.
 * `which` names the tensor in messages when several cross the point (e.g. " for tensor 'skip1' (frame 2 of 3)").
 */
export function samplesOf(point: string, shape: readonly number[], expected: readonly number[], length: number, which = ''): number {
  let n: number;
  if (shape.length === expected.length && shape.every((d, i) => d === expected[i])) n = 1;
  else if (shape.length === expected.length + 1 && shape.slice(1).every((d, i) => d === expected[i]) && shape[0] >= 1) n = shape[0];
  else {
    throw invalidArgument(
      `shape mismatch at split point '${point}'${which}: frame shape [${shape.join(',')}], expected [N,${expected.join(',')}] or [${expected.join(',')}]`,
    );
  }
  const perSample = expected.reduce((a, b) => a * b, 1);
  if (length !== n * perSample) {
    throw invalidArgument(`bad frame${which}: ${length} values for shape [${shape.join(',')}]`);
  }
  return n;
}

/** Index of the first NaN or ±Infinity in `a`, or -1. */
export function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    // v - v is NaN exactly for NaN and ±Infinity
    if (v - v !== 0) return i;
  }
  return -1;
}
