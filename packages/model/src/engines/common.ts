import { ModelError } from '../errors.js';
import type { Manifest } from '../bundle/manifest.js';
import type { SplitPointInfo, TaskSpec } from '../types.js';
import type { InputSpec } from './types.js';

/** The input spec a manifest describes (our bundles: NHWC float32 in [0, 1]). */
export function inputSpec(m: Pick<Manifest, 'onnx' | 'inputShape' | 'preprocess'>): InputSpec {
  const c = m.onnx?.layout === 'NCHW' ? m.inputShape[0] : m.inputShape[2];
  return {
    name: m.onnx?.input ?? 'input',
    shape: [...m.inputShape],
    layout: m.onnx?.layout ?? 'NHWC',
    preprocess: m.preprocess ?? { mean: Array<number>(c).fill(0), std: Array<number>(c).fill(1) },
  };
}

/** Finds a split point or throws a ModelError naming the valid ones. */
export function findPoint(id: string, points: readonly SplitPointInfo[], name: string): SplitPointInfo {
  const p = points.find((q) => q.name === name);
  if (!p) throw new ModelError(`unknown split point '${name}' of model '${id}': valid points are ${points.map((q) => q.name).join(', ')}`);
  return p;
}

/** Checks a batch against a per-sample shape; throws ModelError naming what was expected. */
export function checkBatch(what: string, shape: readonly number[], per: readonly number[], data: Float32Array): void {
  const ok = shape.length === per.length + 1 && shape[0] >= 1 && per.every((d, i) => shape[i + 1] === d);
  if (!ok) throw new ModelError(`${what}: shape [${shape.join(',')}] does not match [n,${per.join(',')}]`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new ModelError(`${what}: ${data.length} values for shape [${shape.join(',')}] (${n})`);
}

export function copyTasks(tasks: readonly TaskSpec[]): TaskSpec[] {
  return tasks.map((t) => ({ name: t.name, classes: [...t.classes] }));
}
