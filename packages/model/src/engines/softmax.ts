import type { TaskInfo } from '../types.js';
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

/**
 * What a cloud half's raw outputs answer: each output's values by name, and each classification task's
 * class probabilities (softmax of its logits), the two halves of every answer the cloud builds.
 */
export function outputsAndProbabilities(
  tasks: readonly TaskInfo[],
  raw: Record<string, TensorData>,
): { outputs: Record<string, Float32Array>; probabilities: Record<string, Float32Array> } {
  const outputs: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(raw)) outputs[name] = t.data;
  const probabilities: Record<string, Float32Array> = {};
  for (const t of tasks) {
    const logits = t.kind === 'classification' ? raw[t.outputs[0]?.name ?? t.name] : undefined;
    if (logits) probabilities[t.name] = softmaxRows(logits);
  }
  return { outputs, probabilities };
}
