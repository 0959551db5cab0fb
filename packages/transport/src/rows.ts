/**
 * Rows of a batch's outputs: every array of an `ExecutorOutputs` is row-major with the batch first, so a
 * request's answer is its rows of each array, and a request run in slices joins its slices' rows.
 */
import type { ExecutorOutputs } from './types.js';

function sliceEach(arrays: Record<string, Float32Array>, size: number, from: number, rows: number): Record<string, Float32Array> {
  if (from === 0 && rows === size) return arrays; // the whole batch is this request's
  const out: Record<string, Float32Array> = {};
  for (const [name, a] of Object.entries(arrays)) {
    const per = a.length / size;
    out[name] = a.slice(from * per, (from + rows) * per);
  }
  return out;
}

/** Rows [from, from + rows) of a batch of `size` samples (copies, so the batch's arrays can go; the arrays themselves when all rows are asked). */
export function sliceRows(o: ExecutorOutputs, size: number, from: number, rows: number): ExecutorOutputs {
  return { outputs: sliceEach(o.outputs, size, from, rows), probabilities: sliceEach(o.probabilities, size, from, rows) };
}

function joinEach(parts: readonly Record<string, Float32Array>[]): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const name of Object.keys(parts[0] ?? {})) {
    const arrays = parts.map((p) => p[name] ?? new Float32Array(0));
    const joined = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      joined.set(a, o);
      o += a.length;
    }
    out[name] = joined;
  }
  return out;
}

/** The slices of one request, in order, as one answer. */
export function joinRows(parts: readonly ExecutorOutputs[]): ExecutorOutputs {
  return { outputs: joinEach(parts.map((p) => p.outputs)), probabilities: joinEach(parts.map((p) => p.probabilities)) };
}
