import { basename } from 'node:path';
import {
  decodeModel,
  elemTypeOf,
  encodeModel,
  findCuts,
  initializerElements,
  makeBatchable,
  OnnxError,
  ortVersion,
  OrtSession,
  probeShapesOf,
  tensorLayouts,
  valueInfo,
  type Layout,
  type ModelProto,
} from '@mtl-split/onnx';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, manifestSchema, sha256, type Manifest, type TaskSpec } from '@mtl-split/model/infer';
import { errorMessage } from '@mtl-split/cli';
import { dtypeOf } from './dtypes.js';
import { graphInputs, type GraphInputs } from './inputs.js';
import { isRegex, pointMatcher } from './patterns.js';
import { splitPoints } from './points.js';
import { ImportError, Problems } from './problems.js';
import type { TaskFlag } from './task-flags.js';
import { resolveTasks, type GraphOutput } from './tasks.js';

export { ImportError } from './problems.js';

/** Highest ai.onnx opset the bundled ONNX Runtime (1.30) runs. */
export const MAX_OPSET = 23;
const DOMAINS = new Set(['', 'ai.onnx', 'com.microsoft', 'ai.onnx.ml']);

export interface ImportOptions {
  /** Bundle id (the output folder's name). */
  id: string;
  /** `--task NAME=KIND[:OUTPUT,...]`: tasks whose kind the output shapes do not settle, or that own several outputs. */
  taskFlags?: TaskFlag[];
  /** NAME:CLASSES per task, in output order (checked against the graph; networks whose outputs are all classifiers). */
  tasks?: { name: string; classes: number }[];
  /** Per-sample shape of the first input in its layout order (needed when the graph leaves it dynamic). */
  inputShape?: [number, number, number];
  layout?: 'NCHW' | 'NHWC';
  preprocess?: { mean: number[]; std: number[] };
  classNames?: Record<string, string[]>;
  /** Names, globs (`*`) or /regex/ of the points swept by default; absent: all. */
  points?: string[];
  /** Most tensors crossing a split point (default 4, `findCuts`'s). */
  maxTensors?: number;
  /** For progress lines. */
  log?: (line: string) => void;
}

export interface Imported {
  manifest: Manifest;
  onnx: Uint8Array;
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

/** Declares every input with its per-sample shape (a dynamic batch stays 'N', a fixed one stays), so shapes are known downstream. */
function declareInputs(m: ModelProto, gi: GraphInputs): void {
  const g = m.graph!;
  g.input = (g.input ?? []).map((v) => {
    const i = gi.inputs.find((x) => x.name === v.name);
    return i ? valueInfo(i.name, [gi.fixedBatch.includes(i.name) ? 1 : 'N', ...i.shape], elemTypeOf(v)) : v;
  });
}

async function checkRuns(m: ModelProto, file: string): Promise<void> {
  try {
    const s = await OrtSession.create(encodeModel(m), { label: file });
    await s.release();
  } catch (err) {
    throw new ImportError(
      `${file}: the bundled ONNX Runtime cannot run it: ${errorMessage(err).replace(`${file}: ONNX Runtime cannot load it: `, '')}`,
      { cause: err },
    );
  }
}

/** The graph's outputs with their per-sample shapes (batch first in every one, or a problem). */
function graphOutputs(m: ModelProto, shapes: ReadonlyMap<string, readonly number[]>, problems: Problems): GraphOutput[] {
  return (m.graph?.output ?? []).flatMap((v) => {
    const name = v.name ?? '';
    const s = shapes.get(name);
    if (!s || s.length < 1 || s[0] !== 1) {
      problems.add(`output '${name}' has shape [${(s ?? []).join(', ')}] for one sample: a task output has the batch first ([N, ...])`);
      return [];
    }
    return [{ name, shape: s.slice(1), dtype: dtypeOf(elemTypeOf(v)), elemType: elemTypeOf(v) }];
  });
}

/** The preprocessing to record: `--preprocess` for a float image (one value per channel); pixels as they are for a uint8 one. */
function preprocessOf(gi: GraphInputs, o: ImportOptions, problems: Problems): Manifest['preprocess'] {
  const first = gi.inputs[0];
  const channels = gi.image.layout === 'NCHW' ? gi.image.shape[0] : gi.image.shape[2];
  if (first.dtype === 'uint8' || first.dtype === 'int64') {
    if (o.preprocess) problems.add(`--preprocess: input '${first.name}' is ${first.dtype} and takes pixel values 0..255 as they are`);
    // value = (pixel / 255 - 0) / (1 / 255) = pixel: every reader of `preprocess` feeds the pixels themselves
    return { mean: Array<number>(channels).fill(0), std: Array<number>(channels).fill(1 / 255) };
  }
  if (o.preprocess && (o.preprocess.mean.length !== channels || o.preprocess.std.length !== channels)) {
    problems.add(
      `--preprocess needs ${channels} mean and std values (one per input channel), got ${o.preprocess.mean.length} and ${o.preprocess.std.length}`,
    );
  }
  return o.preprocess;
}

/** ONNX Runtime's reason on one short line: without the file's name and the kernel's source location. */
function brief(why: string, file: string): string {
  const text = why.replace(`${file}: `, '').replace(/\/onnxruntime_src\S*\s+\S+::\S+\([^)]*\)\s*/, '');
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

interface Checked {
  gi: GraphInputs;
  model: ModelProto;
  batch: 'any' | 'one';
  shapes: Map<string, number[]>;
  tasks: TaskSpec[];
  preprocess: Manifest['preprocess'];
}

/** Inputs, batch, shapes and tasks, every problem of the graph and the flags reported together. */
async function check(m: ModelProto, file: string, o: ImportOptions): Promise<Checked> {
  const log = o.log ?? (() => undefined);
  const shown = basename(file);
  const problems = new Problems();
  const gi = graphInputs(m, o, problems);
  if (!(m.graph?.output ?? []).length) problems.add('has no outputs');
  problems.check(file);
  declareInputs(m, gi!);
  log(`${shown}: checking that ONNX Runtime runs it`);
  await checkRuns(m, file);
  const per = new Map(gi!.inputs.map((i) => [i.name, i.shape]));
  log(`${shown}: checking that it runs a batch of 2`);
  const b = await makeBatchable(m, per, file);
  if (b.changed.length)
    log(`${shown}: its batch dimension was fixed at 1; rewritten to a symbolic N (${b.changed.join('; ')}), batch 2 checked`);
  if (b.batch === 'one')
    log(
      `${shown}: runs one sample at a time only (${brief(b.why ?? '', file)}): recorded batch 'one', engines run a batch sample by sample`,
    );
  log(`${shown}: measuring tensor shapes (one run)`);
  let shapes: Map<string, number[]>;
  try {
    shapes = await probeShapesOf(b.model, per, file);
  } catch (err) {
    throw new ImportError(`${file}: cannot run it to learn its tensor shapes: ${errorMessage(err)}`, { cause: err });
  }
  const tasks = resolveTasks(
    graphOutputs(b.model, shapes, problems),
    { flags: o.taskFlags ?? [], legacy: o.tasks, classNames: o.classNames, layout: gi!.image.layout },
    problems,
  );
  const preprocess = preprocessOf(gi!, o, problems);
  problems.check(file);
  return { gi: gi!, model: b.model, batch: b.batch, shapes, tasks, preprocess };
}

/**
 * Reads and validates a multi-task ONNX graph and makes an imported bundle of it: tasks from its
 * outputs (kinds from their shapes and `--task`), every input, the batch it runs, every split point (a
 * cut of the graph crossed by at most `maxTensors` tensors) with its tensors, bytes, and params and FLOPs
 * on each side. Throws ImportError (one line, naming the file and every problem found) on bad input.
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
  const c = await check(m, file, o);
  const outputs = (c.model.graph?.output ?? []).map((v) => v.name ?? '');
  log(`${shown}: finding split points`);
  const inputShapes = new Map(c.gi.inputs.map((i) => [i.name, i.shape]));
  let cuts;
  try {
    cuts = findCuts(c.model, outputs, { inputShapes, measured: c.shapes, ...(o.maxTensors ? { maxTensors: o.maxTensors } : {}) });
  } catch (err) {
    if (err instanceof OnnxError) fail(file, err.message);
    throw err;
  }
  const layouts = tensorLayouts(
    c.model,
    new Map(c.gi.inputs.flatMap((i): [string, Layout][] => (i.layout ? [[i.name, i.layout]] : []))),
    c.shapes,
  );
  const { points, dropped, found, inside } = splitPoints(cuts!, {
    m: c.model,
    inputs: c.gi.inputs,
    outputs,
    tasks: c.tasks.map((t) => (t.outputs ?? [{ name: t.name }]).map((x) => x.name)),
    shapes: c.shapes,
    layouts,
    batchDim: c.batch === 'one' ? 1 : 'N',
    match: pointMatcher(o.points),
  });
  if (inside)
    log(
      `${shown}: ${inside} of ${cuts!.length} cuts left out: several tensors cross each, inside a block or a task's head (README: split points)`,
    );
  if (dropped)
    log(
      `${shown}: ${dropped} of ${found} cuts dropped: each crosses the same shapes as the next, with only an activation between (the cut after it kept)`,
    );
  if (points.length < 2) fail(file, 'has no place where the graph can be cut in two');
  for (const s of o.points ?? []) {
    if (!s.includes('*') && !isRegex(s) && !points.some((p) => p.name === s)) {
      const some = points.slice(1, 4).map((p) => p.name);
      fail(
        file,
        `--points names '${s}', which is not a split point (${points.length} found: ${some.join(', ')}, …; see the bundle's manifest or npm run plan)`,
      );
    }
  }
  const out = encodeModel(c.model);
  const first = c.gi.inputs[0];
  const manifest = manifestSchema.parse({
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    id: o.id,
    createdAt: new Date().toISOString(),
    backend: ortVersion(),
    tasks: c.tasks,
    inputShape: c.gi.image.shape,
    params: initializerElements(c.model),
    splitPoints: points,
    training: null,
    source: {
      file: shown,
      sha256: sha256(bytes),
      bytes: bytes.byteLength,
      producer: `${m.producerName ?? ''} ${m.producerVersion ?? ''}`.trim(),
      opset,
    },
    onnx: { file: 'model.onnx', bytes: out.byteLength, sha256: sha256(out), opset, input: first.name, layout: c.gi.image.layout },
    ...(c.preprocess ? { preprocess: c.preprocess } : {}),
    ...(c.gi.inputs.length > 1 || first.dtype !== 'float32' ? { inputs: c.gi.inputs } : {}),
    ...(c.batch === 'one' ? { batch: 'one' } : {}),
  });
  return { manifest, onnx: out };
}
