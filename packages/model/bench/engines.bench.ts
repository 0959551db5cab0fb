/**
 * Engine benchmark: the same bundle on ONNX Runtime (onnx engine) and TensorFlow.js (tfjs engine), in
 * one process, calls alternating between the engines so background load hits both alike. For batch 1
 * and 32: the whole network, and every split point's edge half and cloud half; median ms per call and
 * the tfjs / onnx ratio (the bar: at least 4x). Also checks that both engines give the same logits.
 *   npm run bench:engines -w @mtl-split/model [-- --model models/multimnist-resnet --reps 30]
 * Writes bench/engines.json. Timings are noisy on a shared 2-core machine; ratios are within one run.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { median } from '@mtl-split/stats';
import { openNetwork, type SplitNetwork, type TensorData } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const model = resolve(repo, arg('--model', 'models/multimnist-resnet'));
const reps = Number(arg('--reps', '30'));
if (!Number.isInteger(reps) || reps < 3 || reps > 10_000) {
  process.stderr.write(`engines bench: --reps must be an integer in 3..10000\n`);
  process.exit(2);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
function batchOf(per: readonly number[], n: number, seed: number): TensorData {
  const r = rng(seed);
  const size = per.reduce((a, b) => a * b, 1) * n;
  return { data: Float32Array.from({ length: size }, () => r()), shape: [n, ...per] };
}

interface Row {
  what: string;
  batch: number;
  onnxMs: number;
  tfjsMs: number;
  ratio: number;
  maxAbsDiff: number;
}

/** One engine's call, with its runner made ready beforehand (session creation is not timed). */
type Call = (k: number) => Promise<Float32Array[]>;

async function compare(what: string, batch: number, nets: SplitNetwork[], call: Call): Promise<Row> {
  const times: number[][] = [[], []];
  const first = await Promise.all(nets.map((_, k) => call(k)));
  let diff = 0;
  first[0].forEach((a, k) => a.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - first[1][k][i])))));
  for (let w = 0; w < 3; w++) for (let k = 0; k < nets.length; k++) await call(k);
  for (let r = 0; r < reps; r++) {
    for (let e = 0; e < nets.length; e++) {
      const k = (r + e) % nets.length; // alternate which engine goes first
      const t0 = performance.now();
      await call(k);
      times[k].push(performance.now() - t0);
    }
  }
  const onnxMs = median(times[0]);
  const tfjsMs = median(times[1]);
  return { what, batch, onnxMs, tfjsMs, ratio: tfjsMs / onnxMs, maxAbsDiff: diff };
}

const onnx = await openNetwork(model, { runtime: 'onnx', threads: 1 });
const tfjs = await openNetwork(model, { runtime: 'tfjs' });
const nets = [onnx, tfjs];
console.log(`model ${onnx.id}: onnx = ${onnx.backend}; tfjs = ${tfjs.backend}; ${reps} alternating calls per engine, median ms\n`);

const rows: Row[] = [];
for (const batch of [1, 32]) {
  const x = batchOf(onnx.input.shape, batch, 7 + batch);
  const whole = await Promise.all(nets.map((n) => n.wholeRunner()));
  rows.push(await compare('whole network', batch, nets, async (k) => Object.values(await whole[k].run(x)).map((t) => t.data)));
  for (const p of onnx.splitPoints) {
    if (p.name !== 'input') {
      const edge = await Promise.all(nets.map((n) => n.edgeRunner(p.name)));
      rows.push(await compare(`edge half ${p.name}`, batch, nets, async (k) => [(await edge[k].run(x)).data]));
    }
    const h = batchOf(p.shape, batch, 11 + batch);
    const cloud = await Promise.all(nets.map((n) => n.cloudRunner(p.name)));
    rows.push(await compare(`cloud half ${p.name}`, batch, nets, async (k) => Object.values(await cloud[k].run(h)).map((t) => t.data)));
  }
}
await onnx.close();
await tfjs.close();

const pad = (s: string, n: number): string => s.padEnd(n);
console.log(`${pad('call', 22)} batch   onnx ms   tfjs ms   tfjs/onnx   max |diff|`);
for (const r of rows) {
  console.log(
    `${pad(r.what, 22)} ${String(r.batch).padStart(5)} ${r.onnxMs.toFixed(3).padStart(9)} ${r.tfjsMs.toFixed(3).padStart(9)} ${r.ratio.toFixed(2).padStart(10)}x ${r.maxAbsDiff.toExponential(1).padStart(11)}`,
  );
}
const worst = rows.reduce((a, b) => (b.ratio < a.ratio ? b : a));
const meets = rows.every((r) => r.ratio >= 4);
console.log(`\nsmallest ratio ${worst.ratio.toFixed(2)}x (${worst.what}, batch ${worst.batch}); bar >= 4x: ${meets ? 'met' : 'NOT met'}`);
const out = join(here, 'engines.json');
writeFileSync(
  out,
  JSON.stringify(
    {
      measuredAt: new Date().toISOString(),
      model: onnx.id,
      reps,
      cpus: os.cpus().length,
      loadavg: os.loadavg(),
      onnx: onnx.backend,
      tfjs: tfjs.backend,
      rows,
      smallestRatio: worst.ratio,
      bar: 4,
      met: meets,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${out}`);
