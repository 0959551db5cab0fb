import {
  declaredPerSample,
  dimsOf,
  ELEM_TYPES,
  elemTypeName,
  elemTypeOf,
  estimateWorkingMemory,
  inferShapes,
  realInputs,
  type ModelProto,
} from '@mtl-split/onnx';
import type { Manifest } from '../bundle/manifest.js';
import { ModelError } from '../errors.js';
import type { TaskInfo } from '../types.js';
import { inputSpecs, taskInfo, tensorsOf } from './common.js';
import type { InputSpec } from './types.js';

/** Default bound on a graph's estimated working memory per sample, MiB (`maxSampleMb`, MTL_SPLIT_MAX_SAMPLE_MB). */
export const DEFAULT_MAX_SAMPLE_MB = 512;
export const MAX_SAMPLE_MB_ENV = 'MTL_SPLIT_MAX_SAMPLE_MB';

/** The per-sample working-memory bound: the option, else the environment variable, else the default (Infinity: none). */
export function maxSampleMb(option: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const raw =
    option ??
    (env[MAX_SAMPLE_MB_ENV] !== undefined && env[MAX_SAMPLE_MB_ENV] !== '' ? Number(env[MAX_SAMPLE_MB_ENV]) : DEFAULT_MAX_SAMPLE_MB);
  if (Number.isNaN(raw) || raw <= 0) {
    throw new ModelError(
      `invalid maximum working memory per sample '${String(option ?? env[MAX_SAMPLE_MB_ENV])}' (option maxSampleMb or ${MAX_SAMPLE_MB_ENV}): a number of MiB > 0, or Infinity for no bound`,
    );
  }
  return raw;
}

const fmt = (s: readonly (number | string)[]): string => `[${s.join(',')}]`;
const same = (a: readonly (number | string)[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => typeof d !== 'number' || d === b[i]);

function checkTasksMetadata(dir: string, m: Manifest, graph: ModelProto): void {
  const meta = (graph.metadataProps ?? []).find((p) => p.key === 'mtl_split.tasks');
  if (!meta) return;
  let tasks: unknown;
  try {
    tasks = JSON.parse(meta.value ?? '');
  } catch {
    throw new ModelError(`bundle '${dir}': model.onnx metadata mtl_split.tasks is not valid JSON`);
  }
  const want = JSON.stringify(m.tasks.map((t) => ({ name: t.name, classes: t.classes })));
  const got = Array.isArray(tasks)
    ? JSON.stringify(tasks.map((t: { name?: unknown; classes?: unknown }) => ({ name: t?.name, classes: t?.classes })))
    : '';
  if (got !== want) throw new ModelError(`bundle '${dir}': the tasks or class names in model.onnx's metadata differ from manifest.json's`);
}

function checkInputs(dir: string, graph: ModelProto, inputs: readonly InputSpec[]): void {
  const declared = new Map(realInputs(graph).map((v) => [v.name ?? '', v]));
  inputs.forEach((input, k) => {
    const v = declared.get(input.name);
    const what = k === 0 ? "the manifest's onnx.input" : `the manifest's inputs[${k}]`;
    if (!v) throw new ModelError(`bundle '${dir}': model.onnx has no input '${input.name}' (${what})`);
    const per = (dimsOf(v) ?? []).slice(1);
    if (!same(per, input.shape)) {
      throw new ModelError(
        `bundle '${dir}': model.onnx input '${input.name}' is ${fmt(['N', ...per])} per batch, the manifest says [N,${input.shape.join(',')}]`,
      );
    }
    const dtype = input.dtype ?? 'float32';
    if (elemTypeOf(v) !== ELEM_TYPES[dtype]) {
      throw new ModelError(
        `bundle '${dir}': model.onnx input '${input.name}' is of ONNX element type ${elemTypeOf(v)} (${elemTypeName(elemTypeOf(v)) ?? 'other'}), the manifest says ${dtype}`,
      );
    }
  });
}

function checkOutputs(dir: string, graph: ModelProto, t: TaskInfo, shapes: ReadonlyMap<string, readonly number[]>, typed: boolean): void {
  for (const o of t.outputs) {
    const out = declaredPerSample(graph, o.name);
    if (!out) throw new ModelError(`bundle '${dir}': model.onnx has no output '${o.name}' for the manifest's task '${t.name}'`);
    const inferred = shapes.get(o.name)?.slice(1);
    for (const s of [out, inferred]) {
      if (!s || same(s, o.shape)) continue;
      const says = typed
        ? `the manifest's task '${t.name}' says [N,${o.shape.join(',')}]`
        : `the manifest's task has ${t.classes.length} classes`;
      throw new ModelError(`bundle '${dir}': model.onnx output '${o.name}' is ${fmt(['N', ...s])}, ${says}`);
    }
  }
}

/**
 * Checks a bundle's graph against its manifest before any session is made: every input's per-sample shape
 * and element type, each task's outputs (present, of their shape: [N, classes] for a classification task
 * without `outputs`), the tasks and class names of our exports' metadata, the shape of each tensor crossing
 * each split point (where the graph's shapes can be inferred statically), and the estimated per-sample
 * working memory against `limitMb`. One-line ModelError naming model.onnx and what differs.
 */
export function checkGraph(dir: string, m: Manifest, graph: ModelProto, limitMb: number): void {
  const inputs = inputSpecs(m);
  checkInputs(dir, graph, inputs);
  const perSample = new Map(inputs.map((i) => [i.name, i.shape]));
  const { shapes } = inferShapes(graph, perSample);
  for (const t of m.tasks) checkOutputs(dir, graph, taskInfo(t), shapes, t.outputs !== undefined);
  checkTasksMetadata(dir, m, graph);
  for (const p of m.splitPoints) {
    for (const t of tensorsOf(p, inputs)) {
      const s = shapes.get(t.name)?.slice(1);
      if (s && !same(s, t.shape)) {
        const which = p.tensors ? ` tensor '${t.name}'` : '';
        throw new ModelError(
          `bundle '${dir}': split point '${p.name}'${which} is ${fmt(s)} per sample in model.onnx, the manifest says ${fmt(t.shape)}`,
        );
      }
    }
  }
  if (limitMb === Infinity) return;
  const est = estimateWorkingMemory(graph, perSample);
  if (est.unknown.length) {
    const node = (graph.graph?.node ?? []).find((n) => (n.output ?? []).includes(est.unknown[0]));
    throw new ModelError(
      `bundle '${dir}': model.onnx: the shape of '${est.unknown[0].slice(0, 80)}' (${node?.opType ?? '?'}) cannot be inferred without running the graph, so its working memory per sample cannot be bounded: refused (${MAX_SAMPLE_MB_ENV}=Infinity or maxSampleMb: Infinity lifts the bound)`,
    );
  }
  if (est.bytes > limitMb * 2 ** 20) {
    const big = est.largest
      ? `, the largest tensor '${est.largest.tensor.slice(0, 80)}' ${(est.largest.bytes / 2 ** 20).toFixed(0)} MiB`
      : '';
    throw new ModelError(
      `bundle '${dir}': model.onnx needs about ${(est.bytes / 2 ** 20).toFixed(0)} MiB of working memory per sample${big}, more than the limit ${limitMb} MiB (raise it with ${MAX_SAMPLE_MB_ENV} or the maxSampleMb option)`,
    );
  }
}
