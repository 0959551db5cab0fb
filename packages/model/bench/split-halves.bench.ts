/**
 * Split halves against the whole network on plain ONNX Runtime (no code of ours in the timed calls): for each
 * split point of a bundle, the edge half then the cloud half (the edge's outputs fed as they come) against the
 * whole model, at one batch size, interleaved calls, median ms. Issue 29's bar: at `block1`, batch 32, the halves
 * within 1.1x of the whole network. Writes bench/split-halves.json.
 *   flock /tmp/mtl-heavy.lock npx tsx bench/split-halves.bench.ts [--model models/multimnist-resnet] [--batch 32] [--reps 100]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { cutHalves, decodeModel, encodeModel } from '@mtl-split/onnx';
import { median } from '@mtl-split/stats';
import { openNetwork } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/multimnist-resnet' },
    batch: { type: 'string', default: '32' },
    reps: { type: 'string', default: '100' },
  },
});
const dir = resolve(here, '../../..', values.model);
const batch = Number(values.batch);
const reps = Number(values.reps);
for (const [flag, v, max] of [
  ['--batch', batch, 4096],
  ['--reps', reps, 100_000],
] as const) {
  if (!Number.isInteger(v) || v < 1 || v > max) {
    process.stderr.write(`split-halves bench: ${flag} must be an integer in 1..${max}\n`);
    process.exit(2);
  }
}

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

const rows: { point: string; wholeMs: number; halvesMs: number; ratio: number }[] = [];
for (const p of net.splitPoints) {
  if (p.name === 'input') continue; // no edge half there
  const cut = net.pointTensors(p.name).map((t) => t.name);
  const h = cutHalves(graph, cut, { inputs: [input], outputs });
  const edge = await ort.InferenceSession.create(encodeModel(h.edge!), options);
  const cloud = await ort.InferenceSession.create(encodeModel(h.cloud), options);
  const runHalves = async () => {
    const e = await edge.run({ [input]: x });
    return cloud.run(Object.fromEntries(cut.map((n) => [n, e[n]])));
  };
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < 5; i++) {
    await runWhole();
    await runHalves();
  }
  for (let r = 0; r < reps; r++) {
    for (const [k, run] of [runWhole, runHalves].entries()) {
      const t0 = performance.now();
      await run();
      times[k].push(performance.now() - t0);
    }
  }
  const [wholeMs, halvesMs] = times.map(median);
  rows.push({ point: p.name, wholeMs, halvesMs, ratio: halvesMs / wholeMs });
  await edge.release();
  await cloud.release();
}
await whole.release();
await net.close();

console.log(
  `${net.id}, batch ${batch}, ${reps} interleaved calls each, onnxruntime-node ${ort.env.versions.node ?? ''}, 1 thread; median ms`,
);
console.log('point      whole   edge + cloud   ratio');
for (const r of rows)
  console.log(
    `${r.point.padEnd(9)} ${r.wholeMs.toFixed(3).padStart(7)} ${r.halvesMs.toFixed(3).padStart(14)} ${r.ratio.toFixed(3).padStart(7)}x`,
  );
writeFileSync(
  join(here, 'split-halves.json'),
  `${JSON.stringify({ measuredAt: new Date().toISOString(), model: net.id, batch, reps, loadavg: os.loadavg(), rows }, null, 2)}\n`,
);
