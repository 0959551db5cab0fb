/**
 * What two cores give one training step of the committed bundle's architecture (resnet + block4:8
 * bottleneck, MultiMNIST, Adam):
 *   cd packages/model && npx tsx bench/two-cores.bench.ts [--steps 30 --rounds 2]
 * 1. Contention: a batch-32 step in one process alone, then two such processes at once (separate
 *    processes, nothing shared but the machine): the most any two-thread scheme can get from the
 *    hardware is 2 x (alone / together). The same for a loop of one small conv (batch 32, 14x14x32, 3x3;
 *    its data fits in cache), which tells compute from memory traffic.
 * 2. Data parallel (trainModel `workers`, what `npm run train -- --workers 2` runs): batch 64 on one
 *    thread against batch 64 cut into two shards of 32 on two threads, alternating.
 * Median ms per step after 4 warm-up steps; prints a table and writes bench/two-cores.json.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initRuntime, tf } from '@mtl-split/runtime';
import { loadDataset } from '@mtl-split/data';
import { buildModel, trainModel } from '../src/index.js';
import { median } from '@mtl-split/stats';

const here = dirname(fileURLToPath(import.meta.url));
const self = fileURLToPath(import.meta.url);
function intArg(name: string, fallback: number, lo: number, hi: number): number {
  const i = process.argv.indexOf(name);
  const v = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < lo || v > hi) {
    process.stderr.write(`two-cores bench: ${name} must be an integer in ${lo}..${hi}\n`);
    process.exit(2);
  }
  return v;
}
const steps = intArg('--steps', 30, 8, 500);
const rounds = intArg('--rounds', 2, 1, 10);
const classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const tasks = [
  { name: 'left', classes },
  { name: 'right', classes },
];

async function msPerStep(batchSize: number, workers: number): Promise<number> {
  await initRuntime({ backend: 'wasm' });
  const data = loadDataset('multimnist', { trainSize: batchSize * steps, testSize: 64 });
  const m = buildModel({ backbone: 'resnet', inputShape: [28, 28, 1], tasks, bottleneck: { point: 'block4', channels: 8 } });
  let last = 0;
  const times: number[] = [];
  await trainModel(m, data, {
    epochs: 1,
    batchSize,
    lr: 2e-3,
    seed: 1,
    workers,
    onStep: (st) => {
      const now = performance.now();
      if (st.step > 4) times.push(now - last);
      last = now;
    },
  });
  m.dispose();
  return median(times);
}

async function msPerConv(): Promise<number> {
  await initRuntime({ backend: 'wasm' });
  const x = tf.randomNormal([32, 14, 14, 32]) as tf.Tensor4D;
  const f = tf.randomNormal([3, 3, 32, 32]) as tf.Tensor4D;
  const times: number[] = [];
  for (let i = 0; i < 10 + 20 * steps; i++) {
    const t0 = performance.now();
    const y = tf.conv2d(x, f, 1, 'same');
    y.dataSync();
    y.dispose();
    if (i >= 10) times.push(performance.now() - t0);
  }
  tf.dispose([x, f]);
  return median(times);
}

if (process.argv[2] === '--child') {
  console.log(JSON.stringify({ ms: process.argv[3] === 'conv' ? await msPerConv() : await msPerStep(32, 1) }));
  process.exit(0);
}

const runChild = (what: 'step' | 'conv' = 'step'): Promise<number> =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', self, '--child', what, '--steps', String(steps)], {
      cwd: here,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0
        ? resolve((JSON.parse(out.trim().split('\n').pop() ?? '') as { ms: number }).ms)
        : reject(new Error(`child exited ${code}`)),
    );
  });

const loadStart = os.loadavg()[0] ?? 0;
const alone: number[] = [];
const together: number[][] = [];
const one64: number[] = [];
const two64: number[] = [];
const convAlone: number[] = [];
const convTogether: number[][] = [];
for (let r = 0; r < rounds; r++) {
  process.stderr.write(`round ${r + 1}/${rounds}: processes\n`);
  alone.push(await runChild());
  together.push(await Promise.all([runChild(), runChild()]));
  convAlone.push(await runChild('conv'));
  convTogether.push(await Promise.all([runChild('conv'), runChild('conv')]));
  process.stderr.write(`round ${r + 1}/${rounds}: data parallel\n`);
  for (const w of r % 2 ? [2, 1] : [1, 2]) (w === 1 ? one64 : two64).push(await msPerStep(64, w));
}
const aloneMs = median(alone);
const togetherMs = median(together.map((t) => Math.max(...t)));
const ceiling = (2 * aloneMs) / togetherMs;
const convCeiling = (2 * median(convAlone)) / median(convTogether.map((t) => Math.max(...t)));
const dp = median(one64) / median(two64);
const f = (v: number[]): string => v.map((x) => x.toFixed(x < 20 ? 2 : 1)).join(', ');
console.log(`\ntraining step, resnet + block4:8, ${steps} steps per run, ${rounds} rounds, median ms per step (${os.cpus().length} cores)`);
console.log(`  batch 32, one process alone:            ${f(alone)}`);
console.log(`  batch 32, two processes at once:        ${together.map((t) => t.map((x) => x.toFixed(1)).join(' / ')).join(', ')}`);
console.log(`  -> two cores' ceiling (2 x alone / slower of the two): ${ceiling.toFixed(2)}x`);
console.log(`  small conv, one process alone:          ${f(convAlone)}`);
console.log(`  small conv, two processes at once:      ${convTogether.map((t) => t.map((x) => x.toFixed(2)).join(' / ')).join(', ')}`);
console.log(`  -> small conv's ceiling: ${convCeiling.toFixed(2)}x`);
console.log(`  batch 64, one thread:                   ${f(one64)}`);
console.log(`  batch 64, two threads (data parallel):  ${f(two64)}`);
console.log(`  -> data parallel: ${dp.toFixed(2)}x`);
const loadEnd = os.loadavg()[0] ?? 0;
console.log(`load average (1 min) ${loadStart.toFixed(1)} at start, ${loadEnd.toFixed(1)} at end`);
const file = join(here, 'two-cores.json');
const cpu = os.cpus()[0]?.model ?? 'unknown';
writeFileSync(
  file,
  `${JSON.stringify({ measuredAt: new Date().toISOString(), cpu, cpus: os.cpus().length, steps, rounds, loadavg: { start: loadStart, end: loadEnd }, batch32: { aloneMs: alone, togetherMs: together, ceiling }, smallConv: { aloneMs: convAlone, togetherMs: convTogether, ceiling: convCeiling }, batch64: { oneThreadMs: one64, twoThreadsMs: two64, dataParallelSpeedup: dp } }, null, 2)}\n`,
);
console.log(`wrote ${file}`);
