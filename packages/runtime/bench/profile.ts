/**
 * Per-kernel profile of one training step on wasm (tf.profile around the step): kernel name,
 * calls, total ms, share. Usage: npx tsx bench/profile.ts [mnv2|resnet|lenet] [steps]
 * (top-level kernels only: a composite's inner kernels count under the composite).
 */
import { initRuntime, tf } from '../src/index.js';
import { leNet, mobileNetV2Stack, resnetStep } from './nets.js';

async function stepFor(net: string): Promise<() => Promise<void>> {
  if (net === 'resnet') return (await resnetStep()).step;
  const lenet = net === 'lenet';
  const model = lenet ? leNet() : mobileNetV2Stack();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const n = lenet ? 256 : 64;
  const x = tf.randomUniform([n, ...(lenet ? [28, 28, 1] : [32, 32, 3])], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32', 2) as tf.Tensor1D, 10);
  return async () => {
    await model.trainOnBatch(x, y);
  };
}

await initRuntime({ backend: 'wasm', log: false });
const net = process.argv[2] ?? 'mnv2';
const steps = Number(process.argv[3] ?? 3);
const step = await stepFor(net);
await step();
await step();
const wall: number[] = [];
const agg = new Map<string, { calls: number; ms: number }>();
const detail = process.argv.includes('--detail');
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  const prof = await tf.profile(step);
  wall.push(performance.now() - t0);
  for (const k of prof.kernels) {
    const key = detail ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
    const e = agg.get(key) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += (k.kernelTimeMs as number) / steps;
    agg.set(key, e);
  }
}
const plain: number[] = [];
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  await step();
  plain.push(performance.now() - t0);
}
const total = [...agg.values()].reduce((a, e) => a + e.ms, 0);
console.log(
  `${net}: plain step ms ${plain.map((t) => t.toFixed(0)).join(', ')}; profiled ${wall.map((t) => t.toFixed(0)).join(', ')}; kernel sum ${total.toFixed(1)} ms`,
);
for (const [k, e] of [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, detail ? 60 : 40)) {
  console.log(
    `${e.ms.toFixed(2).padStart(8)} ms ${(e.calls / steps).toFixed(0).padStart(5)} calls ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${k}`,
  );
}
