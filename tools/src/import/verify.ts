import { cutHalves, decodeModel, encodeModel, OrtSession, type ModelProto, type TensorData } from '@mtl-split/onnx';
import type { Manifest } from '@mtl-split/model';
import { ImportError } from './problems.js';
import { pointTensors } from './ranges.js';
import { probeInputs, sampleOf } from './samples.js';

/** Relative tolerance (at least this much absolute) of cloud(edge(x)) against the whole network. */
export const SPLIT_TOLERANCE = 1e-4;
/** Probe samples every point is checked on. */
const SAMPLES = 2;

type Outputs = Record<string, TensorData>;

async function runOnce(model: ModelProto, feeds: Record<string, TensorData>, label: string): Promise<Outputs> {
  const s = await OrtSession.create(encodeModel(model), { label });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** Runs `model` on a batch, or sample by sample (concatenated) for a batch-1-only graph. */
async function runBatch(model: ModelProto, feeds: Record<string, TensorData>, one: boolean, label: string): Promise<Outputs> {
  if (!one) return runOnce(model, feeds, label);
  const parts: Outputs[] = [];
  for (let i = 0; i < SAMPLES; i++)
    parts.push(await runOnce(model, Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, sampleOf(t, i)])), label));
  return Object.fromEntries(
    Object.keys(parts[0]).map((k) => {
      const data = new Float32Array(parts.reduce((a, p) => a + p[k].data.length, 0));
      let at = 0;
      for (const p of parts) data.set(p[k].data, (at += p[k].data.length) - p[k].data.length);
      return [k, { data, shape: [SAMPLES, ...parts[0][k].shape.slice(1)] }];
    }),
  );
}

/** The largest difference of `got` from `want`, or a message naming the output and element beyond the tolerance. */
function compare(point: string, want: Outputs, got: Outputs): number | string {
  let max = 0;
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (!g || g.data.length !== w.data.length)
      return `split point '${point}': output '${name}' has ${g?.data.length ?? 0} values, the whole network ${w.data.length}`;
    for (let i = 0; i < w.data.length; i++) {
      const d = Math.abs(g.data[i] - w.data[i]);
      if (!(d <= SPLIT_TOLERANCE * Math.max(1, Math.abs(w.data[i]))))
        return `split point '${point}': output '${name}' element ${i} is ${g.data[i]} through the split, ${w.data[i]} from the whole network`;
      max = Math.max(max, d);
    }
  }
  return max;
}

/**
 * Checks that every split point of an imported bundle computes what the whole network does: its edge
 * half then its cloud half, on seeded probe inputs, give every raw output within SPLIT_TOLERANCE. Returns
 * the largest difference; throws ImportError naming the point, output and element otherwise.
 */
export async function verifyPoints(onnx: Uint8Array, m: Manifest): Promise<number> {
  const g = decodeModel(onnx, `bundle '${m.id}': model.onnx`);
  const inputs = (m.inputs ?? [{ name: m.onnx!.input }]).map((i) => i.name);
  const outputs = (g.graph?.output ?? []).map((v) => v.name ?? '');
  const batch = probeInputs(m, SAMPLES, 11);
  const feeds = Object.fromEntries(inputs.map((n, k) => [n, batch[k]]));
  const one = m.batch === 'one';
  const want = await runBatch(g, feeds, one, `bundle '${m.id}'`);
  let max = 0;
  for (const p of m.splitPoints) {
    const tensors = p.name === 'input' ? inputs : pointTensors(p);
    const halves = cutHalves(g, tensors, { inputs, outputs });
    const cut = halves.edge ? { ...feeds, ...(await runBatch(halves.edge, feeds, one, `edge half '${p.name}'`)) } : feeds;
    const got = await runBatch(halves.cloud, Object.fromEntries(tensors.map((t) => [t, cut[t]])), one, `cloud half '${p.name}'`);
    const r = compare(p.name, want, got);
    if (typeof r === 'string') throw new ImportError(`${m.source?.file ?? m.id}: ${r}`);
    max = Math.max(max, r);
  }
  return max;
}
