import { basename } from 'node:path';
import {
  cutHalves,
  decodeModel,
  dimsOf,
  elemTypeOf,
  encodeModel,
  findCutTensors,
  graphFlops,
  initializerElements,
  OnnxError,
  ortVersion,
  OrtSession,
  probeShapes,
  realInputs,
  valueInfo,
  type ModelProto,
  type NodeProto,
} from '@mtl-split/onnx';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, manifestSchema, sha256, type Manifest } from '@mtl-split/model/infer';
import { errorMessage, UsageError } from '@mtl-split/cli';
import { RESERVED_SPLIT_NAMES } from '@mtl-split/stats';
import { mergeIndistinguishable } from './merge.js';

/** Highest ai.onnx opset the bundled ONNX Runtime (1.30) runs. */
export const MAX_OPSET = 23;
const DOMAINS = new Set(['', 'ai.onnx', 'com.microsoft', 'ai.onnx.ml']);
const TASK_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export interface ImportOptions {
  /** Bundle id (the output folder's name). */
  id: string;
  /** NAME:CLASSES per task, in output order (checked against the graph). */
  tasks?: { name: string; classes: number }[];
  /** Per-sample input shape in the input's layout order (needed when the graph leaves it dynamic). */
  inputShape?: [number, number, number];
  layout?: 'NCHW' | 'NHWC';
  preprocess?: { mean: number[]; std: number[] };
  classNames?: Record<string, string[]>;
  /** Names, globs (`*`) or /regex/ of the points swept by default; absent: all. */
  points?: string[];
  /** For progress lines. */
  log?: (line: string) => void;
}

export interface Imported {
  manifest: Manifest;
  onnx: Uint8Array;
}

/** A problem with the ONNX file or its agreement with the flags: one line, exit 1. */
export class ImportError extends Error {
  override name = 'ImportError';
}

const fail = (file: string, msg: string): never => {
  throw new ImportError(`${file}: ${msg}`);
};

function checkOpsets(m: ModelProto, file: string): number {
  let opset = 0;
  for (const o of m.opsetImport ?? []) {
    const d = o.domain ?? '';
    const v = Number(o.version ?? 0);
    if (!DOMAINS.has(d))
      fail(file, `uses operator domain '${d}', which the bundled ONNX Runtime cannot run (it runs ai.onnx, com.microsoft, ai.onnx.ml)`);
    if (d === '' || d === 'ai.onnx') opset = v;
  }
  if (opset === 0) fail(file, 'declares no ai.onnx opset');
  if (opset > MAX_OPSET)
    fail(file, `uses opset ${opset}; the bundled ONNX Runtime runs opsets up to ${MAX_OPSET}: export with an older opset`);
  return opset;
}

/** Input shape and layout: from the graph, or `--input-shape` where the graph leaves dimensions dynamic. */
function inputOf(
  m: ModelProto,
  file: string,
  o: ImportOptions,
): { name: string; shape: [number, number, number]; layout: 'NCHW' | 'NHWC' } {
  const inputs = realInputs(m);
  if (inputs.length !== 1) {
    fail(
      file,
      `has ${inputs.length} inputs${inputs.length ? ` (${inputs.map((i) => i.name).join(', ')})` : ''}: a bundle needs a graph with exactly one input (the image)`,
    );
  }
  const v = inputs[0];
  const name = v.name ?? '';
  if (elemTypeOf(v) !== 1) fail(file, `input '${name}' is not float32 (ONNX element type ${elemTypeOf(v)})`);
  const dims = dimsOf(v);
  if (dims?.length !== 4)
    fail(file, `input '${name}' has ${dims ? `rank ${dims.length}` : 'no shape'}: expected an image batch [N, C, H, W] or [N, H, W, C]`);
  const per = dims!.slice(1);
  let shape: number[];
  if (o.inputShape) {
    per.forEach((d, i) => {
      if (typeof d === 'number' && d !== o.inputShape![i])
        fail(file, `--input-shape ${o.inputShape!.join(',')} disagrees with input '${name}' dimension ${i + 1} = ${d}`);
    });
    shape = [...o.inputShape];
  } else {
    if (per.some((d) => typeof d !== 'number' || d < 1)) {
      fail(
        file,
        `input '${name}' has dynamic dimensions [${dims!.join(', ')}]: give the size with --input-shape C,H,W (in the input's layout order)`,
      );
    }
    shape = per as number[];
  }
  const layout = o.layout ?? (shape[0] <= 4 && shape[2] > 4 ? 'NCHW' : shape[2] <= 4 && shape[0] > 4 ? 'NHWC' : 'NCHW');
  return { name, shape: shape as [number, number, number], layout };
}

const isRegex = (s: string): boolean => s.length > 2 && s.startsWith('/') && s.endsWith('/');

function pointMatcher(specs: string[] | undefined): ((name: string) => boolean) | null {
  if (!specs) return null;
  const tests = specs.map((s) => {
    if (isRegex(s)) {
      try {
        const re = new RegExp(s.slice(1, -1));
        return (n: string) => re.test(n);
      } catch (err) {
        throw new UsageError(`invalid --points pattern ${s}: ${errorMessage(err)}`, { cause: err });
      }
    }
    if (s.includes('*')) {
      const re = new RegExp(
        `^${s
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
          .join('.*')}$`,
      );
      return (n: string) => re.test(n);
    }
    return (n: string) => n === s;
  });
  return (n) => tests.some((t) => t(n));
}

/**
 * Reads and validates a multi-task ONNX graph and makes an imported bundle of it: tasks from its
 * outputs, the input, every split point (a tensor every path from the input to every output passes
 * through) with its per-sample shape (from the graph, else one ONNX Runtime run), bytes, and params and
 * FLOPs on each side. Throws UsageError (one line, naming the file and what is wrong) on bad input.
 */
export async function analyzeOnnx(bytes: Uint8Array, file: string, o: ImportOptions): Promise<Imported> {
  const log = o.log ?? (() => undefined);
  const shown = basename(file);
  let m: ModelProto;
  try {
    m = decodeModel(bytes, file);
  } catch (err) {
    throw new ImportError(errorMessage(err), { cause: err });
  }
  const opset = checkOpsets(m, file);
  const input = inputOf(m, file, o);
  const g = m.graph!;
  // fix the input's size (a dynamic batch stays), so shapes are known downstream
  g.input = (g.input ?? []).map((v) => (v.name === input.name ? valueInfo(input.name, ['N', ...input.shape]) : v));

  const outputs = (g.output ?? []).map((v) => v.name ?? '');
  if (!outputs.length) fail(file, 'has no outputs');
  for (const name of outputs) {
    if (!TASK_NAME.test(name))
      fail(
        file,
        `output '${name}' is not a valid task name (a letter, then letters, digits, '_' or '-'; at most 64): rename the outputs when exporting (torch.onnx.export output_names=...)`,
      );
    const v = g.output!.find((x) => x.name === name)!;
    if (elemTypeOf(v) !== 1) fail(file, `output '${name}' is not float32: a task output must be class scores [N, classes]`);
  }
  if (o.tasks) {
    const want = o.tasks.map((t) => t.name).join(', ');
    if (o.tasks.length !== outputs.length || o.tasks.some((t, i) => t.name !== outputs[i])) {
      fail(file, `--tasks names ${want}, but the graph's outputs are ${outputs.join(', ')} (in this order)`);
    }
  }

  log(`${shown}: checking that ONNX Runtime runs it`);
  try {
    const s = await OrtSession.create(encodeModel(m), { label: file });
    await s.release();
  } catch (err) {
    throw new ImportError(
      `${file}: the bundled ONNX Runtime cannot run it: ${errorMessage(err).replace(`${file}: ONNX Runtime cannot load it: `, '')}`,
      { cause: err },
    );
  }
  log(`${shown}: measuring tensor shapes (one run)`);
  let shapes: Map<string, number[]>;
  try {
    shapes = await probeShapes(m, input.name, input.shape, file);
  } catch (err) {
    throw new ImportError(`${file}: cannot run it to learn its tensor shapes: ${errorMessage(err)}`, { cause: err });
  }
  const tasks = outputs.map((name, i) => {
    const s = shapes.get(name);
    if (s?.length !== 2 || s[0] !== 1)
      fail(file, `output '${name}' has shape [${(s ?? []).join(', ')}] for one sample: a task output must be [N, classes]`);
    const k = s![1];
    if (k < 2) fail(file, `output '${name}' has ${k} class: a task needs at least 2`);
    const given = o.tasks?.[i];
    if (given && given.classes !== k) fail(file, `--tasks says ${name}:${given.classes}, the graph's output '${name}' has ${k} classes`);
    const names = o.classNames?.[name];
    if (names && names.length !== k) fail(file, `class names of '${name}' list ${names.length} names, the output has ${k} classes`);
    return { name, classes: names ?? Array.from({ length: k }, (_, j) => String(j)) };
  });
  for (const t of Object.keys(o.classNames ?? {}))
    if (!outputs.includes(t)) fail(file, `class names given for '${t}', which is not an output (outputs: ${outputs.join(', ')})`);
  const channels = input.layout === 'NCHW' ? input.shape[0] : input.shape[2];
  if (o.preprocess && (o.preprocess.mean.length !== channels || o.preprocess.std.length !== channels)) {
    fail(
      file,
      `--preprocess needs ${channels} mean and std values (one per input channel), got ${o.preprocess.mean.length} and ${o.preprocess.std.length}`,
    );
  }

  log(`${shown}: finding split points`);
  let cuts;
  try {
    cuts = findCutTensors(m, outputs);
  } catch (err) {
    if (err instanceof OnnxError) fail(file, err.message);
    throw err;
  }
  const flops = graphFlops(m, shapes);
  const nodeFlops = new Map<NodeProto, number>((g.node ?? []).map((n, i) => [n, flops[i]]));
  const totalFlops = flops.reduce((a, b) => a + b, 0);
  const totalParams = initializerElements(m);
  const side = (half: ModelProto | null): { params: number; flops: number } =>
    half
      ? { params: initializerElements(half), flops: (half.graph?.node ?? []).reduce((a, n) => a + (nodeFlops.get(n) ?? 0), 0) }
      : { params: 0, flops: 0 };
  // every cut tensor gets value info, so its halves can be cut again at run time
  const infos = g.valueInfo ?? (g.valueInfo = []);
  const described = new Set(infos.map((v) => v.name ?? ''));
  const used = new Set<string>(RESERVED_SPLIT_NAMES);
  const match = pointMatcher(o.points);
  const found = cuts.flatMap((c) => {
    const isInput = c.tensor === input.name;
    const shape = isInput ? [...input.shape] : shapes.get(c.tensor)?.slice(1);
    if (!shape || shape.length === 0 || shape.some((d) => d < 1)) return []; // not a float tensor with a known shape
    if (!isInput && !described.has(c.tensor)) infos.push(valueInfo(c.tensor, ['N', ...shape]));
    const halves = cutHalves(m, c.tensor, { input: input.name, outputs });
    return [{ ...c, isInput, shape, halves, edgeNodes: halves.edge?.graph?.node ?? [] }];
  });
  // a Conv and the activation after it cross the same tensor shape: one row for the user, the later
  const { kept, dropped } = mergeIndistinguishable(found, shapes);
  if (dropped)
    log(
      `${shown}: ${dropped} of ${found.length} cuts dropped: each crosses the same shape as the next, with only an activation between (the cut after it kept)`,
    );
  const points: Manifest['splitPoints'] = [];
  for (const { isInput, shape, halves, ...c } of kept) {
    let name = isInput ? 'input' : c.node;
    if (!isInput && used.has(name)) name = used.has(c.tensor) ? `${c.node}:${c.tensor}` : c.tensor;
    used.add(name);
    const edge = side(halves.edge);
    const cloud = side(halves.cloud);
    points.push({
      name,
      shape,
      bytesPerSample: shape.reduce((a, b) => a * b, 1) * 4,
      edgeParams: edge.params,
      cloudParams: cloud.params,
      edgeFlops: Math.round(edge.flops),
      cloudFlops: Math.round(isInput ? totalFlops : cloud.flops),
      ...(name !== c.tensor ? { tensor: c.tensor } : {}),
      candidate: isInput || match === null || match(name),
    });
  }
  if (points.length < 2) fail(file, 'has no tensor where the graph can be cut in two with one tensor crossing');
  for (const s of o.points ?? []) {
    if (!s.includes('*') && !isRegex(s) && !points.some((p) => p.name === s)) {
      fail(
        file,
        `--points names '${s}', which is not a split point (${points.length} found: ${points
          .slice(1, 4)
          .map((p) => p.name)
          .join(', ')}, …; see the bundle's manifest or npm run plan)`,
      );
    }
  }
  const out = encodeModel(m);
  const manifest = manifestSchema.parse({
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    id: o.id,
    createdAt: new Date().toISOString(),
    backend: ortVersion(),
    tasks,
    inputShape: input.shape,
    params: totalParams,
    splitPoints: points,
    training: null,
    source: {
      file: shown,
      sha256: sha256(bytes),
      bytes: bytes.byteLength,
      producer: `${m.producerName ?? ''} ${m.producerVersion ?? ''}`.trim(),
      opset,
    },
    onnx: { file: 'model.onnx', bytes: out.byteLength, sha256: sha256(out), opset, input: input.name, layout: input.layout },
    ...(o.preprocess ? { preprocess: o.preprocess } : {}),
  });
  return { manifest, onnx: out };
}
