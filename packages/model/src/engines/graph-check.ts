import { declaredPerSample, estimateWorkingMemory, inferShapes, type ModelProto } from '@mtl-split/onnx';
import type { Manifest } from '../bundle/manifest.js';
import { ModelError } from '../errors.js';
import { inputSpec } from './common.js';

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

/**
 * Checks a bundle's graph against its manifest before any session is made: the input's per-sample shape,
 * each task's output (present, [N, classes]), the tasks and class names of our exports' metadata, each split
 * point's shape (where the graph's shapes can be inferred statically), and the estimated per-sample working
 * memory against `limitMb`. One-line ModelError naming model.onnx and what differs.
 */
export function checkGraph(dir: string, m: Manifest, graph: ModelProto, limitMb: number): void {
  const input = inputSpec(m);
  const declared = declaredPerSample(graph, input.name);
  if (!declared) throw new ModelError(`bundle '${dir}': model.onnx has no input '${input.name}' (the manifest's onnx.input)`);
  if (!same(declared, input.shape)) {
    throw new ModelError(
      `bundle '${dir}': model.onnx input '${input.name}' is ${fmt(['N', ...declared])} per batch, the manifest says [N,${input.shape.join(',')}]`,
    );
  }
  const { shapes } = inferShapes(graph, new Map([[input.name, input.shape]]));
  for (const t of m.tasks) {
    const out = declaredPerSample(graph, t.name);
    if (!out) throw new ModelError(`bundle '${dir}': model.onnx has no output '${t.name}' for the manifest's task '${t.name}'`);
    const inferred = shapes.get(t.name)?.slice(1);
    for (const s of [out, inferred]) {
      if (s && !same(s, [t.classes.length])) {
        throw new ModelError(
          `bundle '${dir}': model.onnx output '${t.name}' is ${fmt(['N', ...s])}, the manifest's task has ${t.classes.length} classes`,
        );
      }
    }
  }
  checkTasksMetadata(dir, m, graph);
  for (const p of m.splitPoints) {
    const s = shapes.get(p.name === 'input' ? input.name : (p.tensor ?? p.name))?.slice(1);
    if (s && !same(s, p.shape)) {
      throw new ModelError(
        `bundle '${dir}': split point '${p.name}' is ${fmt(s)} per sample in model.onnx, the manifest says ${fmt(p.shape)}`,
      );
    }
  }
  if (limitMb === Infinity) return;
  const est = estimateWorkingMemory(graph, new Map([[input.name, input.shape]]));
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
