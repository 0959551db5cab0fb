import { initRuntime, tf } from '@mtl-split/runtime';
import { buildModel } from '@mtl-split/model';
import { loadDataset } from '@mtl-split/data';
await initRuntime();
const cfg = JSON.parse(process.argv[2] ?? '{}');
const batch = Number(process.argv[3] ?? 64);
const ds = loadDataset('multimnist', { trainSize: 2000, testSize: 100 });
const model = buildModel({ backbone: 'resnet', backboneConfig: cfg, inputShape: ds.inputShape, tasks: ds.tasks, head: { hidden: 64 }, bottleneck: { point: 'block4', channels: 8 }, seed: 1 });
const opt = tf.train.adam(1e-3);
const b = ds.batches('train', batch, { shuffle: true, seed: 1 })[Symbol.iterator]().next().value!;
const step = () => tf.tidy(() => {
  const x = tf.tensor4d(b.x, [b.n, 28, 28, 1]);
  const labels = model.tasks.map((t) => tf.tensor1d(b.labels[t.name], 'int32'));
  opt.minimize(() => {
    const out = model.forward(x, { training: true, nextSeed: () => 1, bnUpdates: [] });
    return tf.addN(model.heads.map((hd, i) => hd.loss(out[hd.task], labels[i]))) as tf.Scalar;
  }, false, [...model.variables()]);
});
for (let i = 0; i < 3; i++) step();
let t = performance.now();
for (let i = 0; i < 10; i++) step();
console.log('ms/step', ((performance.now() - t) / 10).toFixed(1), 'flops', model.params ?? '');
const byKernel = new Map<string, number>();
const origNow = performance.now.bind(performance);
if (process.env.NOPROF) process.exit(0);
const prof = await tf.profile(() => { step(); });
for (const k of prof.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
console.log([...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${k.padEnd(32)} ${v.toFixed(1)}`).join('\n'));
const rows = prof.kernels.filter((k) => ['Conv2D', 'Conv2DBackpropFilter', 'BatchMatMul', 'FusedConv2D', 'Multiply', 'Slice', 'Transpose', 'PadV2'].includes(k.name))
  .map((k) => `${k.name.padEnd(22)} ${(k.kernelTimeMs as number).toFixed(2).padStart(7)}  in ${JSON.stringify(k.inputShapes)} out ${JSON.stringify(k.outputShapes)}`);
console.log(rows.join('\n'));
