/**
 * The bar of an exported Triton repository: every model's 1/model.onnx on ONNX Runtime, fed from its
 * config.pbtxt's declared inputs, against the bundle's own cloud half (SplitNetwork.cloudRunner).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { Manifest, SplitNetwork, TensorData } from '@mtl-split/model';
import { feedsFor } from './export-feeds.js';
import { parseConfig } from './export-pbtxt.js';

export const TOLERANCE = 1e-5;

export function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Runs a model folder's 1/model.onnx once on ONNX Runtime (one thread). */
export async function runServed(dir: string, feeds: Record<string, ort.Tensor>): Promise<Record<string, TensorData>> {
  const session = await ort.InferenceSession.create(join(dir, '1', 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, shape: t.dims.map(Number) }]));
  } finally {
    await session.release();
  }
}

/** Largest magnitude of a split point's recorded range (1 without one): test values span [-hi/4, hi). */
function spanOf(p: Manifest['splitPoints'][number]): number {
  return p.range ? Math.max(Math.abs(p.range.min), Math.abs(p.range.max), 1e-3) : 1;
}

/**
 * Compares every model of `repo` with `net`'s cloud half at each batch size in `batches`, asserting each
 * task's largest difference is within TOLERANCE; returns how many model x batch runs were compared.
 */
export async function compareRepository(
  repo: string,
  manifest: Manifest,
  net: SplitNetwork,
  batches: readonly number[],
  random: () => number,
): Promise<number> {
  let compared = 0;
  for (const name of readdirSync(repo).sort()) {
    const config = parseConfig(readFileSync(join(repo, name, 'config.pbtxt'), 'utf8'));
    const point = manifest.splitPoints.find((p) => p.name === config.input[0].name);
    expect(point, `${name}: its first input '${config.input[0].name}' names a split point`).toBeDefined();
    const cloud = await net.cloudRunner(point!.name);
    for (const n of batches) {
      const feeds = feedsFor(config, n, spanOf(point!), random);
      const served = await runServed(join(repo, name), feeds.ort);
      const want = await cloud.run(feeds.reference);
      for (const t of manifest.tasks) {
        expect(served[t.name].shape, `${name} ${t.name} batch ${n}`).toEqual([n, t.classes.length]);
        const d = maxDiff(served[t.name].data, want[t.name].data);
        if (process.env.EXPORT_TEST_DIFFS) process.stdout.write(`${name} ${t.name} batch ${n}: max |diff| ${d}\n`);
        expect(d, `${name} ${t.name} batch ${n} (${feeds.form})`).toBeLessThanOrEqual(TOLERANCE);
      }
      compared++;
    }
  }
  return compared;
}
