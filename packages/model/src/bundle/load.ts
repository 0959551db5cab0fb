import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { datasetOptionsFromRecord } from '@mtl-split/data';
import { tf } from '@mtl-split/runtime';
import { ModelError } from '../errors.js';
import { MtlNet } from '../model.js';
import { firstIssue, isImported, manifestSchema, weightsJsonSchema, type Manifest, type TrainedManifest } from './manifest.js';
import { sha256 } from './save.js';

export interface Bundle {
  dir: string;
  id: string;
  manifest: TrainedManifest;
  model: MtlNet;
}

function readFile(dir: string, name: string): Buffer {
  try {
    return readFileSync(join(dir, name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelError(`bundle '${dir}': missing ${name}`);
    throw new ModelError(`bundle '${dir}': cannot read ${name} (${code ?? String(err)})`);
  }
}

function readJson(dir: string, name: string): unknown {
  const text = readFile(dir, name).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelError(`bundle '${dir}': ${name} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * Reads and validates a bundle's manifest.json (one-line ModelError on a missing folder or bad field).
 * The dataset options are returned as the bundle was trained with them (`datasetOptionsFromRecord`: a
 * MultiMNIST manifest without `layout` was trained on `shifted`), so loadDataset(name, options) gives
 * the bundle's own test set whatever the dataset's defaults are now.
 */
export function readManifest(dir: string): Manifest {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new ModelError(`bundle '${dir}': no such folder`);
  }
  if (!st.isDirectory()) throw new ModelError(`bundle '${dir}': not a folder`);
  const parsed = manifestSchema.safeParse(readJson(dir, 'manifest.json'));
  if (!parsed.success) throw new ModelError(`bundle '${dir}': invalid manifest.json at ${firstIssue(parsed.error)}`);
  const m = parsed.data;
  if (m.dataset) m.dataset = { name: m.dataset.name, options: datasetOptionsFromRecord(m.dataset.name, m.dataset.options) };
  return m;
}

/** The manifest of a bundle trained here; a ModelError for an imported one (no tfjs weights). */
export function trainedManifest(dir: string, m: Manifest): TrainedManifest {
  if (isImported(m)) throw new ModelError(`bundle '${dir}' was imported from ONNX: it has no TensorFlow.js weights; run it with --runtime onnx`);
  for (const field of ['dataset', 'backbone', 'head', 'seed', 'weights'] as const) {
    if (m[field] === undefined) throw new ModelError(`bundle '${dir}': invalid manifest.json at ${field}: a trained bundle needs it`);
  }
  return { ...m, bottleneck: m.bottleneck ?? null, training: m.training ?? null } as TrainedManifest;
}

/** Reads a bundle's model.onnx, checking its size and SHA-256 against the manifest. */
export function readOnnxFile(dir: string, manifest: Manifest): Uint8Array {
  const o = manifest.onnx;
  if (!o) throw new ModelError(`bundle '${dir}' has no model.onnx (made before ONNX export): re-export it with 'npm run export-onnx -- --model ${dir}', or use --runtime tfjs`);
  const data = readFile(dir, o.file);
  if (data.byteLength !== o.bytes) throw new ModelError(`bundle '${dir}': ${o.file} has ${data.byteLength} bytes, the manifest says ${o.bytes}: truncated or mismatched`);
  const digest = sha256(data);
  if (digest !== o.sha256) throw new ModelError(`bundle '${dir}': ${o.file} checksum ${digest.slice(0, 12)}… does not match the manifest's ${o.sha256.slice(0, 12)}…`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Loads and validates a model bundle: the manifest schema, the weights manifest, the size and
 * SHA-256 of weights.bin, and every weight's name and shape against the architecture. Throws a
 * one-line ModelError on a missing, truncated or mismatched file.
 */
export async function loadBundle(dir: string): Promise<Bundle> {
  const manifest = trainedManifest(dir, readManifest(dir));

  const wj = weightsJsonSchema.safeParse(readJson(dir, 'model.json'));
  if (!wj.success) throw new ModelError(`bundle '${dir}': invalid model.json at ${firstIssue(wj.error)}`);
  const specs = wj.data.weightsManifest[0].weights;

  const data = readFile(dir, 'weights.bin');
  const expected = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0);
  if (data.byteLength !== manifest.weights.bytes || data.byteLength !== expected) {
    throw new ModelError(
      `bundle '${dir}': weights.bin has ${data.byteLength} bytes, expected ${manifest.weights.bytes} (manifest) and ${expected} (model.json): truncated or mismatched`,
    );
  }
  const digest = sha256(data);
  if (digest !== manifest.weights.sha256) {
    throw new ModelError(`bundle '${dir}': weights.bin checksum ${digest.slice(0, 12)}… does not match the manifest's ${manifest.weights.sha256.slice(0, 12)}…`);
  }

  let model: MtlNet;
  try {
    model = new MtlNet({
      backbone: manifest.backbone.name,
      backboneConfig: manifest.backbone.config,
      inputShape: manifest.inputShape,
      tasks: manifest.tasks,
      head: manifest.head,
      bottleneck: manifest.bottleneck,
      seed: manifest.seed,
    });
  } catch (err) {
    throw new ModelError(`bundle '${dir}': ${err instanceof Error ? err.message : String(err)}`);
  }

  try {
    checkArchitecture(dir, model, manifest, specs);
    const bytes = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    const tensors = tf.io.decodeWeights(bytes, specs);
    for (const p of model.params) {
      p.v.assign(tensors[p.key]);
    }
    for (const t of Object.values(tensors)) t.dispose();
  } catch (err) {
    model.dispose();
    throw err instanceof ModelError ? err : new ModelError(`bundle '${dir}': cannot load weights (${String(err)})`);
  }
  return { dir, id: manifest.id, manifest, model };
}

function checkArchitecture(dir: string, model: MtlNet, manifest: TrainedManifest, specs: { name: string; shape: number[] }[]): void {
  const byName = new Map(specs.map((s) => [s.name, s.shape]));
  if (byName.size !== specs.length) throw new ModelError(`bundle '${dir}': model.json lists a weight twice`);
  for (const p of model.params) {
    const shape = byName.get(p.key);
    if (!shape) throw new ModelError(`bundle '${dir}': weight '${p.key}' is missing from model.json`);
    if (shape.length !== p.v.shape.length || shape.some((d, i) => d !== p.v.shape[i])) {
      throw new ModelError(`bundle '${dir}': weight '${p.key}' has shape [${shape.join(',')}], the architecture needs [${p.v.shape.join(',')}]`);
    }
    byName.delete(p.key);
  }
  if (byName.size) throw new ModelError(`bundle '${dir}': model.json has unknown weight '${[...byName.keys()][0]}'`);
  if (manifest.weights.tensors !== specs.length) {
    throw new ModelError(`bundle '${dir}': manifest lists ${manifest.weights.tensors} tensors, model.json ${specs.length}`);
  }
  const got = model.splitPoints;
  const want = manifest.splitPoints;
  const same =
    got.length === want.length &&
    got.every((p, i) => p.name === want[i].name && p.shape.join('x') === want[i].shape.join('x'));
  if (!same) {
    throw new ModelError(
      `bundle '${dir}': manifest split points (${want.map((p) => p.name).join(', ')}) do not match the architecture (${got.map((p) => p.name).join(', ')})`,
    );
  }
}
