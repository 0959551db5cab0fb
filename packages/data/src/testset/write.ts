/** Writes a labelled test set folder (format.ts): the binary files and labels.json naming them. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TESTSET_FILE, TESTSET_FORMAT, TESTSET_VERSION, type TestsetDType, type TestsetFile } from './format.js';

/** Values of every sample, in the file's element type (a uint8 file takes integers 0..255). */
interface Values {
  dtype: TestsetDType;
  shape: number[];
  data: ArrayLike<number>;
}

export interface TestsetContent {
  samples: number;
  /** Value range of the inputs, when known (e.g. [0, 1]). */
  range?: [number, number];
  dataset?: unknown;
  split?: string;
  /** Written to inputs.f32 (the first, for version 1 readers' sake) and inputs-<name>.<f32|u8>. */
  inputs: (Values & { name: string; layout?: 'NCHW' | 'NHWC' })[];
  tasks?: TestsetFile['tasks'];
  /** Per task: class indices, or maps written to labels-<task>.<f32|u8>. */
  labels: Record<string, number[] | (Values & { ignore?: number; quantity?: 'depth' | 'normals' })>;
}

const EXT: Record<TestsetDType, string> = { float32: 'f32', uint8: 'u8' };
const safe = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

function bytes(v: Values): Uint8Array {
  if (v.dtype === 'uint8') return Uint8Array.from(v.data);
  const f = Float32Array.from(v.data);
  return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
}

function put(dir: string, file: string, v: Values): { file: string; dtype: TestsetDType; shape: number[] } {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), bytes(v));
  return { file, dtype: v.dtype, shape: [...v.shape] };
}

/**
 * Writes the test set into `dir` (created); returns its description. The first float32 input goes to
 * inputs.f32 and `shape`/`layout` are repeated at the top, so version 1 readers (the plain ONNX Runtime
 * example) still read it.
 */
export function writeTestset(dir: string, c: TestsetContent): TestsetFile {
  mkdirSync(dir, { recursive: true });
  const inputs = c.inputs.map((inp, i) => {
    const file = i === 0 && inp.dtype === 'float32' ? 'inputs.f32' : `inputs-${safe(inp.name)}.${EXT[inp.dtype]}`;
    return { name: inp.name, ...put(dir, file, inp), ...(inp.layout ? { layout: inp.layout } : {}) };
  });
  const labels: TestsetFile['labels'] = {};
  for (const [task, l] of Object.entries(c.labels)) {
    if (Array.isArray(l)) labels[task] = [...l];
    else
      labels[task] = {
        ...put(dir, `labels-${safe(task)}.${EXT[l.dtype]}`, l),
        ...(l.ignore !== undefined ? { ignore: l.ignore } : {}),
        ...(l.quantity ? { quantity: l.quantity } : {}),
      };
  }
  const file: TestsetFile = {
    format: TESTSET_FORMAT,
    version: TESTSET_VERSION,
    samples: c.samples,
    ...(c.dataset !== undefined ? { dataset: c.dataset } : {}),
    ...(c.split ? { split: c.split } : {}),
    inputs,
    ...(c.tasks ? { tasks: c.tasks } : {}),
    labels,
  };
  // version 1 readers: the first input's shape and layout at the top level
  const v1 = { shape: inputs[0].shape, ...(inputs[0].layout ? { layout: inputs[0].layout } : {}), ...(c.range ? { range: c.range } : {}) };
  writeFileSync(join(dir, TESTSET_FILE), `${JSON.stringify({ ...file, ...v1 })}\n`);
  return file;
}
