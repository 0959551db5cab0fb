// Runs a bundle's model.onnx with plain onnxruntime-node: none of mtl-split's code.
//   node examples/plain-onnxruntime/predict.mjs models/multimnist-resnet/model.onnx out/testset
// The test set folder comes from `npm run export-testset` (inputs.f32 + labels.json). Prints the first
// sample's predicted class per task and the accuracy per task; with --json, one JSON line instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

const [modelFile, testset, flag] = process.argv.slice(2);
if (!modelFile || !testset) {
  console.error('usage: node predict.mjs MODEL.onnx TESTSET_DIR [--json]');
  process.exit(2);
}
const meta = JSON.parse(readFileSync(join(testset, 'labels.json'), 'utf8'));
const raw = readFileSync(join(testset, 'inputs.f32'));
const inputs = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const per = meta.shape.reduce((a, b) => a * b, 1);

const session = await ort.InferenceSession.create(modelFile, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
const inputName = session.inputNames[0];
const correct = Object.fromEntries(meta.tasks.map((t) => [t.name, 0]));
let first = null;
const BATCH = 256;
for (let start = 0; start < meta.samples; start += BATCH) {
  const n = Math.min(BATCH, meta.samples - start);
  const x = new ort.Tensor('float32', inputs.subarray(start * per, (start + n) * per), [n, ...meta.shape]);
  const out = await session.run({ [inputName]: x });
  for (const t of meta.tasks) {
    const logits = out[t.name].data;
    const k = t.classes.length;
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (logits[r * k + j] > logits[r * k + best]) best = j;
      if (best === meta.labels[t.name][start + r]) correct[t.name]++;
      if (start + r === 0) (first ??= {})[t.name] = t.classes[best];
    }
  }
}
const accuracy = Object.fromEntries(Object.entries(correct).map(([k, c]) => [k, c / meta.samples]));
if (flag === '--json') {
  console.log(JSON.stringify({ samples: meta.samples, first, accuracy }));
} else {
  console.log(
    `first sample: ${Object.entries(first)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  for (const [k, a] of Object.entries(accuracy)) console.log(`${k}: ${(a * 100).toFixed(2)}% of ${meta.samples}`);
}
