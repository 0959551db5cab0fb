import type { TensorData } from './types.js';

/** Row-wise softmax of logits [n, classes] (max-shifted, in float64), as class probabilities. */
export function softmaxRows(logits: TensorData): Float32Array {
  const [n, k] = logits.shape;
  const out = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits.data[r * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits.data[r * k + j] - max);
    for (let j = 0; j < k; j++) out[r * k + j] = Math.exp(logits.data[r * k + j] - max) / sum;
  }
  return out;
}

/** Index of the largest value of each row of [n, classes]. */
export function argmaxRows(t: TensorData): number[] {
  const [n, k] = t.shape;
  const res: number[] = [];
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (t.data[r * k + j] > t.data[r * k + best]) best = j;
    res.push(best);
  }
  return res;
}
