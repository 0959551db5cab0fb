import { datasetOptionsFromRecord } from '@mtl-split/data';
import { ModelError } from '../errors.js';
import { bundleFolder, readBundleFile, readBundleJson, readRecordedFile, sha256 } from './files.js';
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
  if (m.dataset) m.dataset = { name: m.dataset.name, options: datasetOptionsFromRecord(m.dataset.name, m.dataset.options) };
  return m;
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
