import { OnnxError } from './errors.js';
import type { ModelProto } from './proto.js';
import { encodeModel } from './proto.js';
import { valueInfo } from './builder.js';
import { OrtSession, type TensorData } from './session.js';

/** The smallest and largest value a tensor took over a batch. */
export interface ValueRange {
  min: number;
  max: number;
}

/** Samples per ONNX Runtime call while measuring ranges (bounds the memory a large batch takes). */
const CHUNK = 64;

function widen(r: ValueRange | undefined, data: Float32Array): ValueRange {
  let { min, max } = r ?? { min: Infinity, max: -Infinity };
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * The value range of each of `tensors` (float tensors of the graph) over a batch of inputs fed to the
 * graph's input `input` (or to several inputs: `input` their names, `batch` one batch each, same size):
 * one ONNX Runtime session with those tensors added as outputs, run on chunks of at most 64 samples.
 * Throws OnnxError on a run that fails or a non-finite value.
 */
export async function tensorRanges(
  m: ModelProto,
  input: string | readonly string[],
  tensors: readonly string[],
  batch: TensorData | readonly TensorData[],
  label: string,
): Promise<Map<string, ValueRange>> {
  const names = typeof input === 'string' ? [input] : [...input];
  const batches = Array.isArray(batch) ? [...(batch as readonly TensorData[])] : [batch as TensorData];
  if (batches.length !== names.length) throw new OnnxError(`${label}: ${names.length} inputs, ${batches.length} batches`);
  const g = m.graph!;
  const existing = new Set((g.output ?? []).map((o) => o.name ?? ''));
  const extra = tensors.filter((t) => !existing.has(t));
  const probe: ModelProto = { ...m, graph: { ...g, output: [...(g.output ?? []), ...extra.map((t) => valueInfo(t, []))] } };
  for (const o of probe.graph!.output!.slice((g.output ?? []).length)) o.type!.tensorType!.shape = undefined;
  const s = await OrtSession.create(encodeModel(probe), { label });
  const ranges = new Map<string, ValueRange>();
  try {
    const n = batches[0].shape[0];
    for (let i = 0; i < n; i += CHUNK) {
      const k = Math.min(CHUNK, n - i);
      const feeds = Object.fromEntries(names.map((name, j) => [name, chunk(batches[j], i, k)]));
      const out = await s.run(feeds, tensors);
      for (const t of tensors) ranges.set(t, widen(ranges.get(t), out[t].data));
    }
  } finally {
    await s.release();
  }
  for (const [t, r] of ranges) {
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max))
      throw new OnnxError(`${label}: tensor '${t}' took non-finite values on the calibration batch`);
  }
  return ranges;
}

/** Samples i .. i + k of a batch. */
function chunk(b: TensorData, i: number, k: number): TensorData {
  const [, ...per] = b.shape;
  const size = per.reduce((a, d) => a * d, 1);
  return { data: b.data.subarray(i * size, (i + k) * size), shape: [k, ...per] };
}
