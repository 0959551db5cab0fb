import { datasetOptionsFromRecord } from '@mtl-split/data';
import { ModelError } from '../errors.js';
import { bundleFolder, readBundleFile, readBundleJson, readRecordedFile, sha256 } from './files.js';
import { tensorBytes } from './bytes.js';
import { firstIssue, isImported, manifestSchema, type Manifest, type TrainedManifest } from './manifest.js';

/**
 * Reads and validates a bundle's manifest.json (one-line ModelError on a missing folder or bad field).
 * The dataset options are returned as the bundle was trained with them (`datasetOptionsFromRecord`: a
 * MultiMNIST manifest without `layout` was trained on `shifted`), so loadDataset(name, options) gives
 * the bundle's own test set whatever the dataset's defaults are now.
 */
export function readManifest(dir: string): Manifest {
  bundleFolder(dir);
  const parsed = manifestSchema.safeParse(readBundleJson(dir, 'manifest.json'));
  if (!parsed.success) throw new ModelError(`bundle '${dir}': invalid manifest.json at ${firstIssue(parsed.error)}`);
  const m = parsed.data;
  const problems = crossFieldProblems(m);
  if (problems.length) throw new ModelError(`bundle '${dir}': invalid manifest.json: ${problems.join('; ')}`);
  if (m.dataset) m.dataset = { name: m.dataset.name, options: datasetOptionsFromRecord(m.dataset.name, m.dataset.options) };
  return m;
}

const dims = (s: readonly number[]): string => `[${s.join(',')}]`;
const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Problems of a point's `tensors`: names, the first one's shape against `shape`, and the bytes' sum against `bytesPerSample`. */
function pointProblems(p: Manifest['splitPoints'][number], k: number, inputs: readonly string[]): string[] {
  const out: string[] = [];
  const at = `splitPoints[${k}] '${p.name}'`;
  const ts = p.tensors;
  if (!ts) return out;
  const names = ts.map((t) => t.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) out.push(`${at}.tensors: '${twice}' is listed twice`);
  if (!sameDims(ts[0].shape, p.shape)) out.push(`${at}.shape ${dims(p.shape)} is not its first tensor's ${dims(ts[0].shape)}`);
  const sum = ts.reduce((a, t) => a + tensorBytes(t), 0);
  if (sum !== p.bytesPerSample) out.push(`${at}.bytesPerSample is ${p.bytesPerSample}, its tensors take ${sum} (elements x dtype bytes)`);
  if (p.name === 'input' && (names.length !== inputs.length || names.some((n, i) => n !== inputs[i]))) {
    out.push(`${at}.tensors (${names.join(', ')}) are not the inputs (${inputs.join(', ')})`);
  }
  return out;
}

/**
 * Checks across fields of a manifest that its schema cannot express, every problem at once: the first of
 * `inputs` is `onnx.input` of `inputShape`, input names unique; each point's `tensors` (names unique, the
 * first of `shape`, their bytes summing to `bytesPerSample`, the inputs at `input`); task output names
 * unique across tasks.
 */
export function crossFieldProblems(m: Manifest): string[] {
  const out: string[] = [];
  const inputs = m.inputs?.map((t) => t.name) ?? [m.onnx?.input ?? 'input'];
  if (m.inputs) {
    const first = m.inputs[0];
    if (m.onnx && first.name !== m.onnx.input) out.push(`inputs[0].name '${first.name}' is not onnx.input '${m.onnx.input}'`);
    if (!sameDims(first.shape, m.inputShape)) out.push(`inputs[0].shape ${dims(first.shape)} is not inputShape ${dims(m.inputShape)}`);
    const twice = inputs.find((n, i) => inputs.indexOf(n) !== i);
    if (twice) out.push(`inputs: '${twice}' is listed twice`);
  }
  m.splitPoints.forEach((p, k) => out.push(...pointProblems(p, k, inputs)));
  const outputs = m.tasks.flatMap((t) => t.outputs?.map((o) => o.name) ?? [t.name]);
  const twice = outputs.find((n, i) => outputs.indexOf(n) !== i);
  if (twice) out.push(`tasks: output '${twice}' belongs to two tasks`);
  return out;
}

/** The manifest of a bundle trained here; a ModelError for an imported one (no tfjs weights). */
export function trainedManifest(dir: string, m: Manifest): TrainedManifest {
  if (isImported(m))
    throw new ModelError(`bundle '${dir}' was imported from ONNX: it has no TensorFlow.js weights; run it with --runtime onnx`);
  for (const field of ['dataset', 'backbone', 'head', 'seed', 'weights'] as const) {
    if (m[field] === undefined) throw new ModelError(`bundle '${dir}': invalid manifest.json at ${field}: a trained bundle needs it`);
  }
  return { ...m, bottleneck: m.bottleneck ?? null, training: m.training ?? null } as TrainedManifest;
}

/** Reads a bundle's model.onnx (a regular file inside the folder), checking its size and SHA-256 against the manifest. */
export function readOnnxFile(dir: string, manifest: Manifest): Uint8Array {
  const o = manifest.onnx;
  if (!o)
    throw new ModelError(
      `bundle '${dir}' has no model.onnx (made before ONNX export): re-export it with 'npm run export-onnx -- --model ${dir}', or use --runtime tfjs`,
    );
  const data = readRecordedFile(dir, o.file, o);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Reads weights.bin (a regular file inside the folder, at most the manifest's size), checking its size
 * against the manifest (and model.json's `expected` bytes when given) and its SHA-256.
 */
export function readWeightsFile(dir: string, weights: { bytes: number; sha256: string }, expected?: number): Buffer {
  const data = readBundleFile(dir, 'weights.bin', weights.bytes, "the manifest's size");
  if (data.byteLength !== weights.bytes || (expected !== undefined && data.byteLength !== expected)) {
    const also = expected === undefined ? '' : ` and ${expected} (model.json)`;
    throw new ModelError(
      `bundle '${dir}': weights.bin has ${data.byteLength} bytes, expected ${weights.bytes} (manifest)${also}: truncated or mismatched`,
    );
  }
  const digest = sha256(data);
  if (digest !== weights.sha256) {
    throw new ModelError(
      `bundle '${dir}': weights.bin checksum ${digest.slice(0, 12)}… does not match the manifest's ${weights.sha256.slice(0, 12)}…`,
    );
  }
  return data;
}
