import { ModelError } from '../errors.js';
import type { Manifest } from '../bundle/manifest.js';
import type { SplitPointInfo, TaskInfo, TaskSpec, TensorInfo } from '../types.js';
import type { EdgeRunner, HeadsRunner, InputSpec, TensorData } from './types.js';

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

const fill = (n: number, v: number): number[] => Array<number>(n).fill(v);

/**
 * Every input a manifest describes, in graph order: its `inputs` (the first one taking `onnx.input`'s
 * layout and `preprocess`; others mean 0, std 1, their own layout or the first's), or the one input of
 * `inputSpec`. Non-float32 inputs carry their `dtype`.
 */
export function inputSpecs(m: Pick<Manifest, 'onnx' | 'inputShape' | 'preprocess' | 'inputs'>): InputSpec[] {
  const first = inputSpec(m);
  if (!m.inputs) return [first];
  return m.inputs.map((t, i) => {
    const layout = t.layout ?? first.layout;
    const c = t.shape.length === 3 ? (layout === 'NCHW' ? t.shape[0] : t.shape[2]) : 1;
    const preprocess = i === 0 ? first.preprocess : { mean: fill(c, 0), std: fill(c, 1) };
    return { name: t.name, shape: [...t.shape], layout, preprocess, ...(t.dtype === 'float32' ? {} : { dtype: t.dtype }) };
  });
}

/** Every task output's name, in task order (what a cloud half or the whole network returns). */
export function outputNames(tasks: readonly TaskInfo[]): string[] {
  return tasks.flatMap((t) => t.outputs.map((o) => o.name));
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

/** A task with its kind and outputs filled: absent means classification, one `[classes]` output named as the task. */
export function taskInfo(t: TaskSpec): TaskInfo {
  const kind = t.kind ?? 'classification';
  const outputs = t.outputs?.map((o) => ({ ...o, shape: [...o.shape] })) ?? [
    { name: t.name, shape: [t.classes.length], dtype: 'float32' as const },
  ];
  return { name: t.name, kind, classes: [...t.classes], outputs };
}

export function copyTasks(tasks: readonly TaskSpec[]): TaskInfo[] {
  return tasks.map(taskInfo);
}

/** The tensors crossing a point: its `tensors`, or its one tensor (`tensor` or its name, or the input's at `input`). */
export function tensorsOf(p: SplitPointInfo, inputs: readonly InputSpec[]): TensorInfo[] {
  if (p.tensors) return p.tensors.map((t) => ({ ...t, shape: [...t.shape] }));
  if (p.name === 'input') return inputs.map((i) => ({ name: i.name, shape: [...i.shape], dtype: i.dtype ?? 'float32', layout: i.layout }));
  return [{ name: p.tensor ?? p.name, shape: [...p.shape], dtype: 'float32' }];
}

/**
 * Checks the tensors fed to a runner against what it takes (count, each one's per-sample shape, one batch
 * size for all); returns the batch size. ModelError naming the tensor and what was expected.
 */
export function checkTensors(what: string, xs: readonly TensorData[], want: readonly TensorInfo[]): number {
  if (xs.length !== want.length) {
    throw new ModelError(
      `${what} takes ${want.length} tensor${want.length === 1 ? '' : 's'} (${want.map((t) => t.name).join(', ')}), got ${xs.length}`,
    );
  }
  xs.forEach((x, i) => checkBatch(`${what}: tensor '${want[i].name}'`, x.shape, want[i].shape, x.data));
  const n = xs[0]?.shape[0] ?? 0;
  const other = xs.findIndex((x) => x.shape[0] !== n);
  if (other >= 0)
    throw new ModelError(`${what}: tensor '${want[other].name}' has a batch of ${xs[other].shape[0]}, '${want[0].name}' of ${n}`);
  return n;
}

/** An edge runner from its `runAll`; `run` takes one input to one crossing tensor and refuses otherwise. */
export function multiEdge(point: string, inputs: number, outputs: number, runAll: (xs: TensorData[]) => Promise<TensorData[]>): EdgeRunner {
  const run = async (x: TensorData): Promise<TensorData> => {
    if (inputs !== 1 || outputs !== 1) {
      throw new ModelError(`edge half '${point}' takes ${inputs} input(s) to ${outputs} crossing tensor(s): use runAll`);
    }
    return (await runAll([x]))[0];
  };
  return { point, run, runAll };
}

/** A heads runner from its `runAll`; `run` feeds one tensor and refuses a point that takes several. */
export function multiHeads(point: string, count: number, runAll: (xs: TensorData[]) => Promise<Record<string, TensorData>>): HeadsRunner {
  const run = (x: TensorData): Promise<Record<string, TensorData>> => {
    if (count !== 1) throw new ModelError(`cloud half '${point}' takes ${count} tensors: use runAll`);
    return runAll([x]);
  };
  return { point, run, runAll };
}

/** `runAll` for a runner that takes one tensor: refuses several with a ModelError. */
function one(what: string, xs: readonly TensorData[]): TensorData {
  if (xs.length !== 1) throw new ModelError(`${what} takes 1 tensor, got ${xs.length}`);
  return xs[0];
}

/** An edge runner of one input and one crossing tensor, with its `runAll`. */
export function singleEdge(point: string, run: (x: TensorData) => Promise<TensorData>): EdgeRunner {
  return { point, run, runAll: async (xs) => [await run(one(`edge half '${point}'`, xs))] };
}

/** A heads runner fed one tensor, with its `runAll`. */
export function singleHeads(point: string, run: (x: TensorData) => Promise<Record<string, TensorData>>): HeadsRunner {
  return { point, run, runAll: (xs) => run(one(`cloud half '${point}'`, xs)) };
}
