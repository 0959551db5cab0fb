/**
 * Split halves against the whole network on plain ONNX Runtime (no code of ours in the timed calls): for each
 * split point of a bundle, the edge half then the cloud half (the edge's outputs fed as they come) against the
 * whole model, at one batch size, interleaved calls, median ms. Issue 29's bar: at `block1`, batch 32, the halves
 * within 1.1x of the whole network. `--patched` adds, interleaved, the halves as ORT optimizes them patched at the
 * cut (ort-cut-patch.ts: an experiment on what the layout at the cut costs), their outputs checked equal to the
 * unpatched halves'. Writes bench/split-halves.json.
 *   flock /tmp/mtl-heavy.lock npx tsx bench/split-halves.bench.ts [--model models/multimnist-resnet] [--batch 32] [--reps 100] [--patched]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { benchArgs, benchInt } from '@mtl-split/cli';
import { cutHalves, decodeModel, encodeModel } from '@mtl-split/onnx';
import { median } from '@mtl-split/stats';
import { openNetwork } from '../src/index.js';
import { aliasOneBlock, ortOptimized, reorderFromNhwc } from './ort-cut-patch.js';

const here = dirname(fileURLToPath(import.meta.url));
const NAME = 'split-halves bench';
const USAGE = 'usage: npx tsx bench/split-halves.bench.ts [--model models/multimnist-resnet] [--batch 32] [--reps 100] [--patched]';
const values = benchArgs(NAME, USAGE, {
  model: { type: 'string', default: 'models/multimnist-resnet' },
  batch: { type: 'string', default: '32' },
  reps: { type: 'string', default: '100' },
  patched: { type: 'boolean', default: false },
});
const dir = resolve(here, '../../..', values.model);
const batch = benchInt(NAME, USAGE, '--batch', values.batch, 1, 4096);
const reps = benchInt(NAME, USAGE, '--reps', values.reps, 1, 100_000);
const patched = values.patched === true;

const net = await openNetwork(dir, { runtime: 'onnx', threads: 1 });
const bytes = readFileSync(join(dir, 'model.onnx'));
const graph = decodeModel(bytes, dir);
const outputs = net.tasks.flatMap((t) => t.outputs.map((o) => o.name));
const input = net.input.name;
const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
const size = net.input.shape.reduce((a, b) => a * b, 1) * batch;
const x = new ort.Tensor(
  'float32',
  Float32Array.from({ length: size }, (_, i) => (i % 255) / 255),
  [batch, ...net.input.shape],
);
const whole = await ort.InferenceSession.create(bytes, options);
const runWhole = () => whole.run({ [input]: x });

type Run = () => Promise<ort.InferenceSession.OnnxValueMapType>;
interface Row {
  point: string;
  wholeMs: number;
  halvesMs: number;
  ratio: number;
  /** The halves as ORT optimizes them, patched at the cut (ort-cut-patch.ts); absent where a patch changes nothing. */
  reorderMs?: number;
  reorderRatio?: number;
  aliasMs?: number;
  aliasRatio?: number;
}
const rows: Row[] = [];
const notes: string[] = [];
const exact = (a: ort.InferenceSession.OnnxValueMapType, b: ort.InferenceSession.OnnxValueMapType) =>
  outputs.every((o) => (a[o].data as Float32Array).every((v, i) => v === (b[o].data as Float32Array)[i]));

for (const p of net.splitPoints) {
  if (p.name === 'input') continue; // no edge half there
  const tensors = net.pointTensors(p.name);
  const cut = tensors.map((t) => t.name);
  const h = cutHalves(graph, cut, { inputs: [input], outputs });
  const sessions: ort.InferenceSession[] = [];
  const load = async (edge: Uint8Array, cloud: Uint8Array, o = options): Promise<Run> => {
    const [e, c] = [await ort.InferenceSession.create(edge, o), await ort.InferenceSession.create(cloud, o)];
    sessions.push(e, c);
    return async () => {
      const out = await e.run({ [input]: x });
      return c.run(Object.fromEntries(cut.map((n) => [n, out[n]])));
    };
  };
  const [edgeBytes, cloudBytes] = [encodeModel(h.edge!), encodeModel(h.cloud)];
  const variants: ['halves' | 'reorder' | 'alias', Run][] = [['halves', await load(edgeBytes, cloudBytes)]];
  if (patched) {
    const plain = await variants[0][1]();
    const [edgeOpt, cloudOpt] = [await ortOptimized(edgeBytes), await ortOptimized(cloudBytes)];
    const raw = { ...options, graphOptimizationLevel: 'disabled' as const };
    if (reorderFromNhwc(cloudOpt) > 0) variants.push(['reorder', await load(encodeModel(edgeOpt), encodeModel(cloudOpt), raw)]);
    const nhwc = (name: string) => tensors.find((t) => t.name === name)?.shape;
    if (aliasOneBlock(edgeOpt, nhwc) + aliasOneBlock(cloudOpt, nhwc) > 0) {
      const run = await load(encodeModel(edgeOpt), encodeModel(cloudOpt), raw);
      if (exact(await run(), plain)) variants.push(['alias', run]);
      else notes.push(`${p.name}: 'alias' changes the outputs here (the channels are not one block of this CPU), left out`);
    }
    for (const [k, run] of variants.slice(1))
      if (!exact(await run(), plain)) throw new Error(`${p.name}: the '${k}' halves' outputs differ from the unpatched halves'`);
  }
  const runs: Run[] = [runWhole, ...variants.map(([, r]) => r)];
  const times: number[][] = runs.map(() => []);
  for (let i = 0; i < 5; i++) for (const run of runs) await run();
  for (let r = 0; r < reps; r++) {
    for (const [k, run] of runs.entries()) {
      const t0 = performance.now();
      await run();
      times[k].push(performance.now() - t0);
    }
  }
  const [wholeMs, ...ms] = times.map(median);
  const patches = variants.slice(1).flatMap(([k], i) => [
    [`${k}Ms`, ms[i + 1]],
    [`${k}Ratio`, ms[i + 1] / wholeMs],
  ]);
  rows.push({ point: p.name, wholeMs, halvesMs: ms[0], ratio: ms[0] / wholeMs, ...Object.fromEntries(patches) });
  for (const s of sessions) await s.release();
}
await whole.release();
await net.close();

console.log(
  `${net.id}, batch ${batch}, ${reps} interleaved calls each, onnxruntime-node ${ort.env.versions.node ?? ''}, 1 thread; median ms`,
);
const x3 = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(3)}x`).padStart(9);
console.log(`point      whole   edge + cloud   ratio${patched ? '  reorder    alias' : ''}`);
for (const r of rows)
  console.log(
    `${r.point.padEnd(9)} ${r.wholeMs.toFixed(3).padStart(7)} ${r.halvesMs.toFixed(3).padStart(14)} ${r.ratio.toFixed(3).padStart(7)}x${patched ? ` ${x3(r.reorderRatio)}${x3(r.aliasRatio)}` : ''}`,
  );
for (const n of notes) console.log(n);
writeFileSync(
  join(here, 'split-halves.json'),
  `${JSON.stringify({ measuredAt: new Date().toISOString(), model: net.id, batch, reps, patched, loadavg: os.loadavg(), rows, notes }, null, 2)}\n`,
);
