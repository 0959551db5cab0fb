import { decodeModel, encodeModel, OrtSession, valueInfo, type ModelProto, type TensorData } from '@mtl-split/onnx';
import type { Manifest } from '@mtl-split/model';
import { ImportError } from './problems.js';
import { probeInputs, sampleOf } from './samples.js';

type SplitPoint = Manifest['splitPoints'][number];

/** Samples a split point's range is recorded over (seeded probe inputs). */
export const RANGE_SAMPLES = 64;

/** Rounds outward to 6 significant digits, so a recorded range always contains what was seen. */
export function outward(v: number, dir: -1 | 1): number {
  if (v === 0) return 0;
  const step = 10 ** (Math.floor(Math.log10(Math.abs(v))) - 5);
  const c = Number(v.toPrecision(6));
  return Number((dir < 0 ? (c <= v ? c : c - step) : c >= v ? c : c + step).toPrecision(7));
}

/** The graph tensors a point sends (its `tensors`, else `tensor` or its name). */
export const pointTensors = (p: SplitPoint): string[] => (p.tensors ? p.tensors.map((t) => t.name) : [p.tensor ?? p.name]);

function widen(r: { min: number; max: number }, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    if (data[i] < r.min) r.min = data[i];
    if (data[i] > r.max) r.max = data[i];
  }
}

/**
 * The manifest's split points with the value range each took (over all its tensors) on `RANGE_SAMPLES`
 * seeded probe inputs (`probeInputs`), measured on ONNX Runtime: one session with every crossing tensor
 * as an output, batches of the whole set (one sample at a time for a batch-1-only graph). `input` gets
 * none (its range is the preprocessing's). Throws on a run that fails or a non-finite value.
 */
export async function importRanges(onnx: Uint8Array, m: Manifest, samples = RANGE_SAMPLES): Promise<SplitPoint[]> {
  const g = decodeModel(onnx, `bundle '${m.id}': model.onnx`);
  const inputs = (m.inputs ?? [{ name: m.onnx!.input }]).map((i) => i.name);
  const inner = m.splitPoints.filter((p) => p.name !== 'input');
  const tensors = [...new Set(inner.flatMap(pointTensors))].filter((t) => !inputs.includes(t));
  const probe: ModelProto = { ...g, graph: { ...g.graph, output: tensors.map((t) => valueInfo(t, [])) } };
  for (const o of probe.graph!.output!) o.type!.tensorType!.shape = undefined;
  const s = await OrtSession.create(encodeModel(probe), { label: `bundle '${m.id}' ranges` });
  const seen = new Map<string, { min: number; max: number }>();
  const batch = probeInputs(m, samples);
  const note = (feeds: TensorData[]): Promise<void> =>
    s.run(Object.fromEntries(inputs.map((n, k) => [n, feeds[k]])), tensors).then((out) => {
      for (const t of tensors) widen(seen.get(t) ?? seen.set(t, { min: Infinity, max: -Infinity }).get(t)!, out[t].data);
      inputs.forEach((n, k) => widen(seen.get(n) ?? seen.set(n, { min: Infinity, max: -Infinity }).get(n)!, feeds[k].data));
    });
  try {
    if (m.batch === 'one') for (let i = 0; i < samples; i++) await note(batch.map((b) => sampleOf(b, i)));
    else await note(batch);
  } finally {
    await s.release();
  }
  return m.splitPoints.map((p) => {
    const { range: _old, ...rest } = p;
    if (p.name === 'input') return rest;
    const r = { min: Infinity, max: -Infinity };
    for (const t of pointTensors(p)) {
      const x = seen.get(t)!;
      r.min = Math.min(r.min, x.min);
      r.max = Math.max(r.max, x.max);
    }
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max))
      throw new ImportError(`split point '${p.name}' took non-finite values on the probe inputs`);
    return { ...rest, range: { min: outward(r.min, -1), max: outward(r.max, 1) } };
  });
}
