/**
 * Reads a labelled test set folder (format.ts), checking everything at once: every problem found (a field,
 * a missing file, a file whose size does not match its samples and shape) is listed in one DataError, each
 * naming the file and field.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { TESTSET_FILE, TESTSET_FORMAT, testsetSchema, testsetV1Schema, type TestsetDType, type TestsetFile } from './format.js';

/** One input of a test set, every sample's values as float32 (a uint8 file's bytes as their values). */
export interface TestsetInputData {
  name: string;
  /** Per-sample shape. */
  shape: number[];
  layout?: 'NCHW' | 'NHWC';
  /** The element type of the file (the values are float32 here). */
  dtype: TestsetDType;
  /** samples x per-sample values. */
  data: Float32Array;
}

/** The labels of a task: a class index per sample, or a map per sample (class map or dense values). */
export type TestsetLabels =
  | { kind: 'classes'; values: Int32Array }
  | { kind: 'map'; shape: number[]; dtype: TestsetDType; ignore?: number; quantity?: 'depth' | 'normals'; data: Float32Array };

/** A test set in memory. */
export interface Testset {
  dir: string;
  samples: number;
  inputs: TestsetInputData[];
  /** Per task name. */
  labels: Record<string, TestsetLabels>;
  /** The description as written (v1 files converted to v2). */
  file: TestsetFile;
}

const per = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const BYTES: Record<TestsetDType, number> = { float32: 4, uint8: 1 };

/** Whether a folder holds a test set (its labels.json). */
export function isTestset(dir: string): boolean {
  return existsSync(join(dir, TESTSET_FILE));
}

/** A version 1 description as version 2: one input 'input' of inputs.f32, class labels. */
function upgrade(raw: unknown, where: string): TestsetFile {
  const v1 = testsetV1Schema.safeParse(raw);
  if (!v1.success) throw new DataError(`${where}: ${issues(v1.error.issues).join('; ')}`);
  const { samples, shape, layout, labels } = v1.data;
  const input = { name: 'input', file: 'inputs.f32', dtype: 'float32' as const, shape, ...(layout ? { layout } : {}) };
  return { format: TESTSET_FORMAT, version: 2, samples, inputs: [input], labels };
}

function issues(list: readonly { path: PropertyKey[]; message: string }[]): string[] {
  return list.map((i) => `${i.path.map(String).join('.') || '(top)'}: ${i.message}`);
}

function parse(dir: string): TestsetFile {
  const where = join(dir, TESTSET_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(where, 'utf8'));
  } catch (err) {
    throw new DataError(`${where}: cannot read it as JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (typeof raw === 'object' && raw !== null && !('format' in raw)) return upgrade(raw, where);
  const parsed = testsetSchema.safeParse(raw);
  if (!parsed.success) throw new DataError(`${where}: ${issues(parsed.error.issues).join('; ')}`);
  return parsed.data;
}

/** Checks a binary file's presence and size; a problem is pushed to `problems`, naming `field`. */
function checkFile(
  dir: string,
  field: string,
  e: { file: string; dtype: TestsetDType; shape: number[] },
  n: number,
  problems: string[],
): void {
  const path = join(dir, e.file);
  const want = n * per(e.shape) * BYTES[e.dtype];
  if (!existsSync(path)) return void problems.push(`${field}.file: '${e.file}' does not exist`);
  const size = statSync(path).size;
  if (size !== want)
    problems.push(`${field}.file: '${e.file}' has ${size} bytes, expected ${want} (${n} samples of [${e.shape.join(',')}] ${e.dtype})`);
}

function values(dir: string, e: { file: string; dtype: TestsetDType }): Float32Array {
  const buf = readFileSync(join(dir, e.file));
  if (e.dtype === 'uint8') return Float32Array.from(buf);
  const copy = new Uint8Array(buf); // aligned
  return new Float32Array(copy.buffer, 0, copy.length / 4);
}

/** Reads and checks a test set folder; one DataError listing every problem, each naming the file and field. */
export function readTestset(dir: string): Testset {
  const file = parse(dir);
  const where = join(dir, TESTSET_FILE);
  const n = file.samples;
  const problems: string[] = [];
  const names = new Set<string>();
  file.inputs.forEach((inp, i) => {
    if (names.has(inp.name)) problems.push(`inputs.${i}.name: '${inp.name}' is given twice`);
    names.add(inp.name);
    checkFile(dir, `inputs.${i}`, inp, n, problems);
  });
  for (const [task, l] of Object.entries(file.labels)) {
    if (Array.isArray(l)) {
      if (l.length !== n) problems.push(`labels.${task}: ${l.length} class indices, expected one per sample (${n})`);
    } else checkFile(dir, `labels.${task}`, l, n, problems);
  }
  if (problems.length) throw new DataError(`${where}: ${problems.join('; ')}`);
  const inputs = file.inputs.map((i) => ({ ...i, data: values(dir, i) }));
  const labels: Record<string, TestsetLabels> = {};
  for (const [task, l] of Object.entries(file.labels)) {
    labels[task] = Array.isArray(l)
      ? { kind: 'classes', values: Int32Array.from(l) }
      : {
          kind: 'map',
          shape: l.shape,
          dtype: l.dtype,
          ...(l.ignore !== undefined ? { ignore: l.ignore } : {}),
          ...(l.quantity ? { quantity: l.quantity } : {}),
          data: values(dir, l),
        };
  }
  return { dir, samples: n, inputs, labels, file };
}

/** Sample `i` of an input or a map label (a view, not a copy). */
export function sampleOf(t: { shape: readonly number[]; data: Float32Array }, i: number): Float32Array {
  const k = per(t.shape);
  return t.data.subarray(i * k, (i + 1) * k);
}
