import type { TaskResult } from './gen/mtlsplit/v1/TaskResult.js';
import type { TaskResult__Output } from './gen/mtlsplit/v1/TaskResult.js';
import type { TaskDescription } from './types.js';

/** Answer of one task for the n samples of a request, as a client sees it. */
export interface TaskAnswer {
  task: string;
  /** n x classes probabilities (row-major) when top_k = 0, else empty. */
  probabilities: Float32Array;
  /** n x k class indices when top_k > 0, else empty. */
  topClasses: Int32Array;
  /** n x k probabilities when top_k > 0, else empty. */
  topProbabilities: Float32Array;
  /** Most likely class per sample. */
  predicted: Int32Array;
}

function argmaxRows(probs: Float32Array, n: number, classes: number): number[] {
  const out: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Server side: turn executor probabilities into proto task results (top-k when k > 0). */
export function buildTaskResults(
  tasks: readonly TaskDescription[],
  outputs: Record<string, Float32Array>,
  n: number,
  topK: number,
): TaskResult[] {
  return tasks.map((t) => {
    const probs = outputs[t.name];
    if (!probs) throw new Error(`executor returned no output for task '${t.name}'`);
    const classes = t.classes.length;
    if (probs.length !== n * classes) {
      throw new Error(`executor output for task '${t.name}' has ${probs.length} values, expected ${n} x ${classes}`);
    }
    const predicted = argmaxRows(probs, n, classes);
    if (topK <= 0) return { task: t.name, probabilities: Array.from(probs), predicted };
    const k = Math.min(topK, classes);
    const topClasses: number[] = [];
    const topProbabilities: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = Array.from(probs.subarray(i * classes, (i + 1) * classes), (p, c) => ({ p, c }));
      row.sort((a, b) => b.p - a.p || a.c - b.c);
      for (const { p, c } of row.slice(0, k)) {
        topClasses.push(c);
        topProbabilities.push(p);
      }
    }
    return { task: t.name, topClasses, topProbabilities, predicted };
  });
}

/** Client side: proto task results to typed arrays. */
export function parseTaskResults(results: readonly TaskResult__Output[]): TaskAnswer[] {
  return results.map((r) => ({
    task: r.task,
    probabilities: Float32Array.from(r.probabilities),
    topClasses: Int32Array.from(r.topClasses),
    topProbabilities: Float32Array.from(r.topProbabilities),
    predicted: Int32Array.from(r.predicted),
  }));
}
