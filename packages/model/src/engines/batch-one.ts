import type { TensorData } from './types.js';

const sample = (t: TensorData, i: number): TensorData => {
  const size = t.data.length / (t.shape[0] || 1);
  return { data: t.data.subarray(i * size, (i + 1) * size), shape: [1, ...t.shape.slice(1)] };
};

function concat(parts: readonly TensorData[]): TensorData {
  const data = new Float32Array(parts.reduce((a, p) => a + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { data, shape: [parts.reduce((a, p) => a + p.shape[0], 0), ...parts[0].shape.slice(1)] };
}

/**
 * Runs a graph recorded as batch-1 only (`batch: 'one'` in the manifest) on a batch: one run per sample,
 * each output concatenated along the batch axis. A batch of one runs as it is.
 */
export async function perSample(
  feeds: Record<string, TensorData>,
  run: (feeds: Record<string, TensorData>) => Promise<Record<string, TensorData>>,
): Promise<Record<string, TensorData>> {
  const n = Object.values(feeds)[0]?.shape[0] ?? 1;
  if (n <= 1) return run(feeds);
  const outs: Record<string, TensorData>[] = [];
  for (let i = 0; i < n; i++) outs.push(await run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, sample(t, i)]))));
  return Object.fromEntries(Object.keys(outs[0]).map((k) => [k, concat(outs.map((o) => o[k]))]));
}
