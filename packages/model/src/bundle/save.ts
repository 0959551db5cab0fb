import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { datasetOptionsToRecord } from '@mtl-split/data';
import { tf } from '@mtl-split/runtime';
import { ModelError } from '../errors.js';
import type { MtlNet } from '../model.js';
import { OPSET, type TensorData } from '@mtl-split/onnx';
import { exportOnnx, ONNX_INPUT } from '../onnx/export.js';
import { sha256 } from './files.js';
import { loadBundle } from './load.js';
import { readManifest, readOnnxFile } from './read.js';
import { recordRanges } from './ranges.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  manifestSchema,
  type Manifest,
  type TrainedManifest,
  type TrainingRecord,
  type WeightsJson,
} from './manifest.js';
import { errorMessage } from '@mtl-split/cli/errors';

export interface SaveBundleOptions {
  /** Bundle id (default: the folder name). */
  id?: string;
  /** Recorded with every default that has changed over time made explicit (`datasetOptionsToRecord`). */
  dataset: { name: string; options: Record<string, unknown> };
  training?: TrainingRecord | null;
  /** Active tfjs backend (default tf.getBackend()). */
  backend?: string;
  /** Replace an existing folder (default false: error). */
  overwrite?: boolean;
  /**
   * Network inputs ([n, H, W, C], e.g. `calibrationBatch(dataset)`) over which each split point's value
   * range is recorded in the manifest (the cloud refuses frames far outside it); absent: no ranges.
   */
  calibration?: TensorData;
}

/** Serialises the model's weights in tfjs format (weights manifest + one binary). */
export async function encodeModelWeights(model: MtlNet): Promise<{ json: WeightsJson; data: Uint8Array }> {
  const named = model.params.map((p) => ({ name: p.key, tensor: p.v as tf.Tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const json: WeightsJson = {
    format: 'mtl-split-weights',
    generatedBy: '@mtl-split/model',
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: specs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: 'float32' as const })),
      },
    ],
  };
  return { json, data: new Uint8Array(data) };
}

export { sha256 } from './files.js';

/**
 * Writes a bundle folder (manifest.json, model.json and weights.bin for tfjs, model.onnx for ONNX tools). Everything goes to a hidden
 * temporary sibling folder first, renamed into place at the end (synchronously), so an interrupted
 * save leaves no half-written bundle.
 */
export async function saveBundle(dir: string, model: MtlNet, opts: SaveBundleOptions): Promise<TrainedManifest> {
  const target = resolve(dir);
  if (existsSync(target) && !opts.overwrite) throw new ModelError(`bundle '${dir}' already exists`);
  const { json, data } = await encodeModelWeights(model);
  const cfg = model.config;
  const id = opts.id ?? basename(target);
  const onnxBytes = exportOnnx(model, id);
  const splitPoints = opts.calibration
    ? await recordRanges(onnxBytes, { id, inputShape: cfg.inputShape, splitPoints: model.splitPoints }, opts.calibration)
    : model.splitPoints;
  const manifest = manifestSchema.parse({
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    id,
    createdAt: new Date().toISOString(),
    backend: opts.backend ?? tf.getBackend(),
    dataset: { name: opts.dataset.name, options: datasetOptionsToRecord(opts.dataset.name, opts.dataset.options) },
    tasks: cfg.tasks,
    backbone: { name: cfg.backbone, config: cfg.backboneConfig },
    head: cfg.head,
    bottleneck: cfg.bottleneck,
    inputShape: cfg.inputShape,
    seed: cfg.seed,
    params: model.paramCount,
    splitPoints,
    training: opts.training ?? null,
    weights: {
      manifest: 'model.json',
      file: 'weights.bin',
      bytes: data.byteLength,
      sha256: sha256(data),
      tensors: json.weightsManifest[0].weights.length,
    },
    onnx: { file: 'model.onnx', bytes: onnxBytes.byteLength, sha256: sha256(onnxBytes), opset: OPSET, input: ONNX_INPUT, layout: 'NHWC' },
  });
  writeBundleDir(dir, {
    'weights.bin': data,
    'model.json': JSON.stringify(json, null, 1) + '\n',
    'model.onnx': onnxBytes,
    'manifest.json': JSON.stringify(manifest, null, 2) + '\n',
  });
  return manifest as TrainedManifest;
}

/**
 * Writes the files of a bundle folder into a hidden temporary sibling folder first, renamed into place
 * at the end (synchronously), so an interrupted save leaves no half-written bundle. Replaces an
 * existing folder (callers check `overwrite` first).
 */
export function writeBundleDir(dir: string, files: Record<string, Uint8Array | string>): void {
  const target = resolve(dir);
  const parent = dirname(target);
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${stamp}`);
  const old = join(parent, `.${basename(target)}.old-${stamp}`);
  try {
    mkdirSync(parent, { recursive: true });
    removeStale(parent, basename(target));
    mkdirSync(tmp);
    // each file reaches the disk before the rename makes the bundle visible (a crash leaves old or new)
    for (const [name, data] of Object.entries(files)) writeSynced(join(tmp, name), data);
    syncDir(tmp);
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    syncDir(parent);
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(target)) renameSync(old, target);
    throw new ModelError(`cannot write bundle '${dir}': ${errorMessage(err)}`, { cause: err });
  }
}

function writeSynced(file: string, data: Uint8Array | string): void {
  const fd = openSync(file, 'w');
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some file systems cannot sync a directory; the files themselves are synced
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Removes the hidden temporary folders of saves of `name` that were interrupted (their process is gone). */
function removeStale(parent: string, name: string): void {
  const re = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-(\\d+)-\\d+$`);
  for (const f of readdirSync(parent)) {
    const m = re.exec(f);
    if (!m) continue;
    const pid = Number(m[2]);
    let alive = pid === process.pid;
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (err) {
        alive = (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    if (!alive) rmSync(join(parent, f), { recursive: true, force: true });
  }
}

function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${Date.now()}`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Adds (or rewrites) model.onnx of an existing bundle from its tfjs weights and records it in the
 * manifest; the rest of the manifest is kept as read (readManifest: dataset options that an older
 * manifest left to a since-changed default are written out, e.g. MultiMNIST's `layout: 'shifted'`).
 * Returns the new manifest.
 */
export async function exportBundleOnnx(dir: string): Promise<Manifest> {
  const bundle = await loadBundle(dir);
  try {
    const bytes = exportOnnx(bundle.model, bundle.id);
    const manifest: Manifest = manifestSchema.parse({
      ...bundle.manifest,
      onnx: { file: 'model.onnx', bytes: bytes.byteLength, sha256: sha256(bytes), opset: OPSET, input: ONNX_INPUT, layout: 'NHWC' },
    });
    try {
      writeAtomic(join(dir, 'model.onnx'), bytes);
      writeAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    } catch (err) {
      throw new ModelError(`cannot write bundle '${dir}': ${errorMessage(err)}`, { cause: err });
    }
    return manifest;
  } finally {
    bundle.model.dispose();
  }
}

/**
 * Records each split point's value range over `batch` (network inputs) in an existing bundle's manifest
 * (bundles made before ranges were recorded); model.onnx is checked against the manifest first and the
 * rest of the manifest is kept as read. Returns the new manifest.
 */
export async function recordBundleRanges(dir: string, batch: TensorData): Promise<Manifest> {
  const old = readManifest(dir);
  const splitPoints = await recordRanges(readOnnxFile(dir, old), old, batch);
  const manifest = manifestSchema.parse({ ...old, splitPoints });
  try {
    writeAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  } catch (err) {
    throw new ModelError(`cannot write bundle '${dir}': ${errorMessage(err)}`, { cause: err });
  }
  return manifest;
}
