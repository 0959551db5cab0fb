/**
 * Cloud throughput per engine: one cloud process (batching on, --max-batch 8), 8 concurrent clients each
 * on its own channel and stream, f32 frames of real test samples, at `input` and `block4`; the cloud runs
 * on ONNX Runtime, then on tfjs, in alternating rounds. The bar: onnx at least 3x tfjs, no failed request.
 *   npm run bench:engines -w @mtl-split/edge [-- --rounds 2 --requests 300]
 * Prints a table and writes bench/engines.json (the median round per engine and point).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '@mtl-split/codec';
import { loadDataset } from '@mtl-split/data';
import { openNetwork, readManifest, trainedManifest } from '@mtl-split/model';
import { throughput, type Tput } from './measure.js';
import { ROOT, startCloud } from './servers.js';
import { median } from '@mtl-split/stats';

const HERE = fileURLToPath(new URL('./', import.meta.url));
const MODEL = join(ROOT, 'models/multimnist-resnet');
const POINTS = ['input', 'block4'];
const ENGINES = ['onnx', 'tfjs'] as const;

function intArg(name: string, fallback: number, max: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1 || v > max) {
    process.stderr.write(`engines bench: ${name} must be an integer in 1..${max}\n`);
    process.exit(2);
  }
  return v;
}
const ROUNDS = intArg('--rounds', 3, 20);
const REQUESTS = intArg('--requests', 400, 100_000);
const CLIENTS = 8;

const manifest = trainedManifest(MODEL, readManifest(MODEL));
const ds = loadDataset('multimnist', manifest.dataset.options);
const xs = [...ds.batches('test', 1, { limit: 64 })].map((b) => b.x);
const edge = await openNetwork(MODEL, { runtime: 'onnx' });
const frames: Record<string, Uint8Array[]> = {};
for (const point of POINTS) {
  const r = await edge.edgeRunner(point);
  frames[point] = [];
  for (const x of xs) {
    const h = await r.run({ data: x, shape: [1, ...edge.input.shape] });
    frames[point].push(encode({ data: h.data, shape: h.shape }, { codec: 'f32' }));
  }
}
await edge.close();
console.log(
  `model ${manifest.id}: ${CLIENTS} clients x ${REQUESTS} streamed requests per round, ${ROUNDS} rounds, cloud --max-batch 8; load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);

const runs: Record<string, Tput[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const engine of round % 2 ? [...ENGINES].reverse() : ENGINES) {
    const cloud = await startCloud(MODEL, 8, 0, engine);
    try {
      for (const point of POINTS) {
        const t = await throughput(cloud, point, frames[point], 'stream', { clients: CLIENTS, requests: REQUESTS, warmup: 50 });
        (runs[`${engine} ${point}`] ??= []).push(t);
        console.log(
          `round ${round + 1} ${engine} ${point}: ${t.perSec.toFixed(0)}/s, mean batch ${t.meanBatch.toFixed(2)}, cloud ${t.cloudCores.toFixed(2)} cores, failed ${t.failed}`,
        );
      }
    } finally {
      await cloud.stop();
    }
  }
}

interface Row {
  point: string;
  onnxPerSec: number;
  tfjsPerSec: number;
  ratio: number;
  ratios: number[];
  failed: number;
  onnxMeanBatch: number;
  tfjsMeanBatch: number;
}
const rows: Row[] = POINTS.map((point) => {
  const o = runs[`onnx ${point}`];
  const t = runs[`tfjs ${point}`];
  const ratios = o.map((r, i) => r.perSec / t[i].perSec);
  return {
    point,
    onnxPerSec: median(o.map((r) => r.perSec)),
    tfjsPerSec: median(t.map((r) => r.perSec)),
    ratio: median(ratios),
    ratios,
    failed: [...o, ...t].reduce((a, r) => a + r.failed, 0),
    onnxMeanBatch: median(o.map((r) => r.meanBatch)),
    tfjsMeanBatch: median(t.map((r) => r.meanBatch)),
  };
});
console.log('\npoint     onnx /s   tfjs /s   onnx/tfjs (rounds)          failed   mean batch onnx / tfjs');
for (const r of rows) {
  console.log(
    `${r.point.padEnd(8)} ${r.onnxPerSec.toFixed(0).padStart(8)} ${r.tfjsPerSec.toFixed(0).padStart(9)} ${r.ratio.toFixed(2).padStart(9)}x (${r.ratios.map((x) => x.toFixed(2)).join(', ')})`.padEnd(
      58,
    ) + `${String(r.failed).padStart(6)}   ${r.onnxMeanBatch.toFixed(2)} / ${r.tfjsMeanBatch.toFixed(2)}`,
  );
}
const met = rows.every((r) => r.ratio >= 3 && r.failed === 0);
console.log(`\nbar (onnx >= 3x tfjs at input and block4, no failed request): ${met ? 'met' : 'NOT met'}`);
const out = join(HERE, 'engines.json');
writeFileSync(
  out,
  JSON.stringify(
    {
      measuredAt: new Date().toISOString(),
      model: manifest.id,
      clients: CLIENTS,
      requests: REQUESTS,
      rounds: ROUNDS,
      loadavg: os.loadavg(),
      rows,
      met,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${out}`);
process.exit(0);
