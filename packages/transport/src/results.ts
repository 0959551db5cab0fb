/**
 * Server side: the executor's outputs as proto task results, per kind. Classification: probabilities
 * (or top-k) and the argmax, as always, plus raw output tensors when a raw form is asked; segmentation,
 * dense and detection: their output tensors as codec frames (tensor-answers.ts).
 */
import type { AnswerPlan } from './answer-plan.js';
import type { TaskResult } from './gen/mtlsplit/v1/TaskResult.js';
import { tensorAnswers } from './tensor-answers.js';
import type { ExecutorOutputs, TaskInfo } from './types.js';

function argmaxRows(probs: Float32Array, n: number, classes: number): number[] {
  const out: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** A classification task's probabilities as today's answer: full rows (top_k 0) or top-k, and the argmax. */
function classificationResult(t: TaskInfo, probs: Float32Array | undefined, n: number, topK: number): TaskResult {
  if (!probs) throw new Error(`executor returned no output for task '${t.name}'`);
  const classes = t.classes.length;
  if (probs.length !== n * classes) {
    throw new Error(`executor output for task '${t.name}' has ${probs.length} values, expected ${n} x ${classes}`);
  }
  const predicted = argmaxRows(probs, n, classes);
  if (topK <= 0) {
    // a plain loop: Array.from walks a typed array through its iterator, several times slower
    const probabilities: number[] = new Array<number>(probs.length);
    for (let i = 0; i < probs.length; i++) probabilities[i] = probs[i];
    return { task: t.name, kind: t.kind, probabilities, predicted };
  }
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
  return { task: t.name, kind: t.kind, topClasses, topProbabilities, predicted };
}

/** The asked tasks' results, in Describe order (throws Error when the executor's outputs do not fit the tasks). */
export function buildTaskResults(plan: AnswerPlan, outputs: ExecutorOutputs, n: number, topK: number): TaskResult[] {
  return plan.tasks.map((t) => {
    const coding = plan.tensors.get(t.name);
    const tensors = coding ? tensorAnswers(t, coding, outputs.outputs, n) : [];
    if (t.kind !== 'classification') return { task: t.name, kind: t.kind, tensors };
    const result = classificationResult(t, outputs.probabilities[t.name], n, topK);
    return tensors.length ? { ...result, tensors } : result;
  });
}
