/**
 * Builds the typed per-task results of one sample (types.ts) from the raw outputs of a network half run
 * here (`localResults`) or from the cloud's answer (`cloudResults`), so the local fallback and edge-only
 * answer in the same types as the cloud. Classification: softmax of the logits (as the cloud computes it);
 * segmentation: the class map, argmax over the channel axis of the output's layout.
 */
import { argmaxRows, softmaxRows, type TaskInfo, type TensorData, type TensorInfo } from '@mtl-split/model/infer';
import type { AnswerTensor, TaskAnswer } from '@mtl-split/transport';
import type { AnswerRequest, ClassMap, OutputTensor, TaskResult } from './types.js';

/** The cloud's answer of one task for one sample, as the transport's client decodes it (TaskAnswer). */
export type CloudTask = Pick<TaskAnswer, 'task' | 'probabilities' | 'predicted'> & {
  /** Decoded tensor answers (absent or empty from clouds older than typed tasks). */
  tensors?: readonly Pick<AnswerTensor, 'output' | 'form' | 'data'>[];
};

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Per-pixel argmax over the channel axis of a [C, H, W] (NCHW) or [H, W, C] (NHWC) map of one sample. */
export function classMapOf(o: { shape: readonly number[]; data: Float32Array }, layout: TensorInfo['layout']): ClassMap {
  const last = layout === 'NHWC';
  const dims = o.shape.length === 3 ? o.shape : o.shape.length === 2 ? (last ? [...o.shape, 1] : [1, ...o.shape]) : undefined;
  if (!dims) throw new Error(`a segmentation output needs a per-sample shape [C,H,W] or [H,W,C], got [${o.shape.join(',')}]`);
  const [c, h, w] = last ? [dims[2], dims[0], dims[1]] : [dims[0], dims[1], dims[2]];
  const px = h * w;
  const data = new Int32Array(px);
  for (let p = 0; p < px; p++) {
    let best = 0;
    let bestV = -Infinity;
    for (let k = 0; k < c; k++) {
      const v = last ? o.data[p * c + k] : o.data[k * px + p];
      if (v > bestV) (bestV = v), (best = k);
    }
    data[p] = best;
  }
  return { shape: [h, w], data };
}

/** The typed result of one task from its raw outputs (one sample each, in TaskInfo.outputs order). */
function resultOf(t: TaskInfo, outputs: OutputTensor[]): TaskResult {
  const first = outputs[0];
  if (t.kind === 'classification') {
    const probabilities = softmaxRows({ data: first.data, shape: [1, first.data.length] });
    const predicted = argmaxRows({ data: probabilities, shape: [1, probabilities.length] })[0];
    return {
      kind: 'classification',
      task: t.name,
      predicted,
      className: t.classes[predicted] ?? String(predicted),
      probabilities,
      outputs,
    };
  }
  if (t.kind === 'segmentation') return { kind: 'segmentation', task: t.name, classMap: classMapOf(first, t.outputs[0].layout), outputs };
  return { kind: t.kind, task: t.name, outputs };
}

/** Tasks of `want` (every task when absent), in the network's order. */
export function askedTasks(tasks: readonly TaskInfo[], want?: readonly string[]): TaskInfo[] {
  return want?.length ? tasks.filter((t) => want.includes(t.name)) : [...tasks];
}

/** Whether a task's answer carries its raw outputs: always for dense and detection, else when a raw form was asked. */
function keepsRaw(t: TaskInfo, request: AnswerRequest | undefined): boolean {
  if (t.kind === 'dense' || t.kind === 'detection') return true;
  const form = request?.codecs?.[t.name]?.form;
  return form !== undefined && form !== 'classes';
}

/**
 * The typed results of one sample from the raw outputs of a half run here, keyed by output name (the
 * HeadsRunner's answer for a batch of 1): the tasks of the request (all when it names none), each as the
 * cloud would answer it (classification and segmentation carry their raw outputs only when a raw form
 * was asked), so a local fallback answers in the same types and fields as the cloud.
 */
export function localResults(tasks: readonly TaskInfo[], raw: Record<string, TensorData>, request?: AnswerRequest): TaskResult[] {
  return askedTasks(tasks, request?.tasks).map((t) => {
    const r = resultOf(
      t,
      t.outputs.map((o) => {
        const r = raw[o.name];
        if (!r) throw new Error(`the network gave no output '${o.name}' of task '${t.name}'`);
        if (r.data.length !== size(o.shape))
          throw new Error(
            `output '${o.name}' of task '${t.name}' has ${r.data.length} values, expected [${o.shape.join(',')}] for one sample`,
          );
        return { output: o.name, shape: [...o.shape], data: r.data, form: 'local' as const };
      }),
    );
    return keepsRaw(t, request) ? r : { ...r, outputs: [] };
  });
}

/** The raw outputs of a cloud answer (every tensor but a 'classes' map), as per-sample tensors. */
function cloudOutputs(t: TaskInfo, a: CloudTask): OutputTensor[] {
  return (a.tensors ?? [])
    .filter((x) => x.form !== 'classes')
    .map((x) => ({
      output: x.output,
      shape: t.outputs.find((o) => o.name === x.output)?.shape ?? x.data.shape.slice(1),
      data: x.data.data,
      form: x.form,
    }));
}

/** The typed results of one sample from the cloud's answer (the tasks it answered, in the network's order). */
export function cloudResults(tasks: readonly TaskInfo[], answers: readonly CloudTask[]): TaskResult[] {
  const out: TaskResult[] = [];
  for (const t of tasks) {
    const a = answers.find((x) => x.task === t.name);
    if (!a) continue;
    const outputs = cloudOutputs(t, a);
    if (t.kind === 'classification') {
      const predicted = a.predicted[0] ?? 0;
      out.push({
        kind: t.kind,
        task: t.name,
        predicted,
        className: t.classes[predicted] ?? String(predicted),
        probabilities: a.probabilities,
        outputs,
      });
    } else if (t.kind === 'segmentation') {
      const map = a.tensors?.find((x) => x.form === 'classes');
      const classMap: ClassMap = map
        ? { shape: [map.data.shape.at(-2) ?? 1, map.data.shape.at(-1) ?? 1], data: Int32Array.from(map.data.data) }
        : outputs.length
          ? classMapOf(outputs[0], t.outputs[0].layout)
          : { shape: [0, 0], data: new Int32Array(0) };
      out.push({ kind: t.kind, task: t.name, classMap, outputs });
    } else out.push({ kind: t.kind, task: t.name, outputs });
  }
  return out;
}
