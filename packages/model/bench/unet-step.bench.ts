/**
 * Training step of the unet on this machine's tfjs backend (wasm: this project's kernels): forward,
 * every task's loss, backward and Adam, at the dense dataset's sizes; with `--profile`, the kernels
 * that take the most time in one step. `npx tsx bench/unet-step.bench.ts [--size 64] [--batch 16]
 * [--steps 5] [--profile] [--no-fast]` (in packages/model). Noisy on a shared 2-core machine.
 */
import { initRuntime, setWasmFastPaths, tf } from '@mtl-split/runtime';
import { median } from '@mtl-split/stats';
import { buildModel, type MtlNet } from '../src/index.js';
import { applyBatchNormUpdates, type BatchNormUpdate } from '../src/layers.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const [size, batch, steps] = [arg('size', 64), arg('batch', 16), arg('steps', 5)];
const { backend } = await initRuntime();
if (process.argv.includes('--no-fast')) setWasmFastPaths(false);

const m: MtlNet = buildModel({
  backbone: 'unet',
  inputShape: [size, size, 3],
  tasks: [
    { name: 'shape', classes: ['cube', 'cylinder', 'sphere', 'capsule'] },
    { name: 'seg', kind: 'segmentation', classes: ['floor', 'back', 'left', 'right', 'cube', 'cylinder', 'sphere', 'capsule'] },
    { name: 'depth', kind: 'dense', classes: [], outputs: [{ name: 'depth', shape: [1, size, size], dtype: 'float32' }] },
    { name: 'normals', kind: 'dense', classes: [], outputs: [{ name: 'normals', shape: [3, size, size], dtype: 'float32' }] },
  ],
});
const x = tf.randomUniform([batch, size, size, 3]) as tf.Tensor4D;
const targets: Record<string, tf.Tensor> = {
  shape: tf.zeros([batch], 'int32'),
  seg: tf.randomUniform([batch, size, size], 0, 8, 'int32'),
  depth: tf.randomUniform([batch, size, size, 1], 1, 4),
  normals: tf.div(tf.ones([batch, size, size, 3]), Math.sqrt(3)),
};
const opt = tf.train.adam(1e-3);
const bn: BatchNormUpdate[] = [];
const loss = (): tf.Scalar => {
  const out = m.outputs(x, { training: true, bnUpdates: bn });
  const ls = [
    ...m.heads.map((h) => h.loss(out[h.task] as tf.Tensor2D, targets[h.task] as tf.Tensor1D)),
    ...m.decoders.map((d) => d.loss(out[d.task] as tf.Tensor4D, targets[d.task] as tf.Tensor)),
  ];
  return tf.addN(ls) as tf.Scalar;
};
const step = (): void => {
  const c = opt.minimize(loss, true, m.variables());
  c?.dataSync();
  c?.dispose();
  applyBatchNormUpdates(bn);
};
step();
const times: number[] = [];
for (let i = 0; i < steps; i++) {
  const t = performance.now();
  step();
  times.push(performance.now() - t);
}
const flops = m.splitPoints[0]?.cloudFlops ?? 0;
console.log(
  `unet ${size}x${size}, batch ${batch}, ${backend}${process.argv.includes('--no-fast') ? ' (fast paths off)' : ''}: ${m.paramCount} params, ${(flops / 1e6).toFixed(1)} MFLOPs/sample forward; training step median ${median(times).toFixed(0)} ms over ${steps} (${times.map((t) => t.toFixed(0)).join(' ')})`,
);
if (process.argv.includes('--profile')) {
  const p = await tf.profile(step);
  const byKernel = new Map<string, number>();
  for (const k of p.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  const top = [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14);
  for (const [k, ms] of top) console.log(`  ${k.padEnd(28)} ${ms.toFixed(1)} ms`);
}
