/**
 * The 3x3 conv of the committed bundle's widest stage (batch 32, 14x14x32 -> 32, stride 1) on tfjs-wasm,
 * against the GEMMs that other conv algorithms would need, without their data movement:
 *   cd packages/model && npx tsx bench/conv-forms.bench.ts [--reps 30]
 * - fused conv: tf.fused.conv2d with bias and ReLU (XNNPACK's direct conv; what the engine runs);
 * - im2col GEMM: [N*H*W, 9*C] x [9*C, Cout], the one matMul of an im2col conv (same multiply-adds);
 * - Winograd F(2x2, 3x3) GEMM: [16, tiles, C] x [16, C, Cout], its batched matMul (2.25x fewer);
 * - the same FLOPs as one [16*tiles, C] x [C, Cout] matMul (K = C as short as Winograd's).
 * Median ms per call (with dataSync), GFLOP/s; prints a table and writes bench/conv-forms.json.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initRuntime, tf } from '@mtl-split/runtime';
import { median } from '@mtl-split/stats';

const i = process.argv.indexOf('--reps');
const reps = i > 0 ? Number(process.argv[i + 1]) : 30;
if (!Number.isInteger(reps) || reps < 3 || reps > 1000) {
  process.stderr.write('conv-forms bench: --reps must be an integer in 3..1000\n');
  process.exit(2);
}
const runtime = await initRuntime({ backend: 'wasm' });
const [n, h, w, c, cout] = [32, 14, 14, 32, 32];
const tiles = n * (h / 2) * (w / 2);

function time(f: () => tf.Tensor): number {
  for (let k = 0; k < 5; k++) tf.tidy(f).dispose();
  const ts: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    const y = tf.tidy(f);
    y.dataSync();
    ts.push(performance.now() - t0);
    y.dispose();
  }
  return median(ts);
}

const x = tf.randomNormal([n, h, w, c]) as tf.Tensor4D;
const filter = tf.randomNormal([3, 3, c, cout]) as tf.Tensor4D;
const bias = tf.randomNormal([cout]);
const cols = tf.randomNormal([n * h * w, 9 * c]);
const wcols = tf.randomNormal([9 * c, cout]);
const v = tf.randomNormal([16, tiles, c]);
const u = tf.randomNormal([16, c, cout]);
const vFlat = tf.randomNormal([16 * tiles, c]);
const uOne = tf.randomNormal([c, cout]);
const direct = 2 * n * h * w * cout * 9 * c;
const wino = 2 * 16 * tiles * c * cout;
const rows = [
  {
    form: 'fused conv (XNNPACK direct)',
    flops: direct,
    ms: time(() => tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu' })),
  },
  { form: 'im2col GEMM [6272,288]x[288,32]', flops: direct, ms: time(() => tf.matMul(cols, wcols)) },
  { form: 'Winograd GEMM [16,1568,32]x[16,32,32]', flops: wino, ms: time(() => tf.matMul(v, u)) },
  { form: 'one GEMM [25088,32]x[32,32]', flops: wino, ms: time(() => tf.matMul(vFlat, uOne)) },
].map((r) => ({ ...r, gflops: r.flops / r.ms / 1e6 }));
tf.dispose([x, filter, bias, cols, wcols, v, u, vFlat, uOne]);

console.log(`tfjs backend ${runtime.backend}, batch ${n}, ${h}x${w}x${c} -> ${cout}, 3x3; median of ${reps} calls\n`);
console.log(`${'form'.padEnd(40)} ${'MFLOP'.padStart(7)} ${'ms'.padStart(8)} ${'GFLOP/s'.padStart(8)}`);
for (const r of rows)
  console.log(
    `${r.form.padEnd(40)} ${(r.flops / 1e6).toFixed(1).padStart(7)} ${r.ms.toFixed(3).padStart(8)} ${r.gflops.toFixed(1).padStart(8)}`,
  );
const file = join(dirname(fileURLToPath(import.meta.url)), 'conv-forms.json');
writeFileSync(
  file,
  `${JSON.stringify({ measuredAt: new Date().toISOString(), backend: runtime.backend, reps, loadavg: os.loadavg()[0], rows }, null, 2)}\n`,
);
console.log(`\nwrote ${file}`);
