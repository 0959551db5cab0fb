/**
 * Learnability probe of the Shapes3D-like default protocol: a small CNN with one head per task, trained
 * on the train split, scored on the out-of-distribution test split. Slow (minutes on 2 cores).
 * Run: npm run learnability -w @mtl-split/data   (writes bench/learnability.json)
 */
import { writeFileSync } from 'node:fs';
import { initRuntime, tf } from '@mtl-split/runtime';
import { loadDataset } from '../src/index.js';

const EPOCHS = 4;
const SAMPLES = 12_000;

const info = await initRuntime();
console.log(`backend ${info.backend}`);
const ds = loadDataset('shapes3d', { seed: 1, samples: SAMPLES });
const [H, W, C] = ds.inputShape;
const names = ds.tasks.map((t) => t.name);

const input = tf.input({ shape: [H, W, C] });
let h: tf.SymbolicTensor = input;
for (const filters of [16, 32, 64]) {
  h = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
}
h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
h = tf.layers.dense({ units: 128, activation: 'relu' }).apply(h) as tf.SymbolicTensor;
const outs = ds.tasks.map((t) => tf.layers.dense({ units: t.classes.length, name: t.name }).apply(h) as tf.SymbolicTensor);
const model = tf.model({ inputs: input, outputs: outs });
const opt = tf.train.adam(2e-3);

const history: Array<{ epoch: number; loss: number; testAccuracy: Record<string, number>; seconds: number }> = [];
const t0 = performance.now();
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  let loss = 0;
  let steps = 0;
  for (const b of ds.batches('train', 64, { shuffle: true, seed: epoch })) {
    const l = opt.minimize(
      () =>
        tf.tidy(() => {
          const ys = model.apply(tf.tensor4d(b.x, [b.n, H, W, C])) as tf.Tensor[];
          const losses = names.map((n, i) =>
            tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(b.labels[n], 'int32'), ds.tasks[i].classes.length), ys[i]),
          );
          return tf.addN(losses) as tf.Scalar;
        }),
      true,
    );
    if (l) {
      loss += l.dataSync()[0];
      l.dispose();
    }
    steps++;
  }
  const correct = names.map(() => 0);
  let n = 0;
  for (const b of ds.batches('test', 256)) {
    tf.tidy(() => {
      const ys = model.apply(tf.tensor4d(b.x, [b.n, H, W, C])) as tf.Tensor[];
      names.forEach((name, i) => {
        const p = ys[i].argMax(-1).dataSync();
        for (let k = 0; k < b.n; k++) if (p[k] === b.labels[name][k]) correct[i]++;
      });
    });
    n += b.n;
  }
  const testAccuracy = Object.fromEntries(names.map((name, i) => [name, Number((correct[i] / n).toFixed(4))]));
  const seconds = Math.round((performance.now() - t0) / 1000);
  history.push({ epoch, loss: Number((loss / steps).toFixed(4)), testAccuracy, seconds });
  console.log(`epoch ${epoch}: train loss ${(loss / steps).toFixed(3)}, OOD test accuracy ${JSON.stringify(testAccuracy)} (${seconds} s)`);
}
writeFileSync(
  new URL('./learnability.json', import.meta.url),
  JSON.stringify(
    { date: new Date().toISOString(), backend: info.backend, samples: SAMPLES, train: ds.size('train'), test: ds.size('test'), history },
    null,
    2,
  ) + '\n',
);
