/**
 * Writes the first N test samples of a bundle's dataset as a labelled test set (the format of
 * packages/data/src/testset/README.md), for the edge (`--inputs DIR`) and for tools outside this project
 * (the plain ONNX Runtime example, Python, C++): inputs.f32 (float32 little-endian, the model's input
 * layout, samples one after another) and labels.json (format, inputs, tasks with class names, labels).
 *   npm run export-testset -- --model models/multimnist-resnet --out out/testset [-n 10000]
 */
import { createProgram, parseOrExit, runMain, UsageError } from '@mtl-split/cli';
import { loadDataset, writeTestset } from '@mtl-split/data';
import { readManifest, trainedManifest } from '@mtl-split/model/infer';

const program = createProgram(
  'export-testset',
  "Write the first N test samples of a bundle's dataset as inputs.f32 + labels.json (for tools outside this project).",
)
  .requiredOption('--model <dir>', 'model bundle folder (its manifest names the dataset and its options)')
  .requiredOption('--out <dir>', 'output folder (created)')
  .option('-n, --n <count>', 'samples from the start of the test split (default: all)');

async function main(): Promise<void> {
  parseOrExit(program);
  const o = program.opts<{ model: string; out: string; n?: string }>();
  const manifest = trainedManifest(o.model, readManifest(o.model));
  const ds = loadDataset(manifest.dataset.name, { ...manifest.dataset.options });
  const total = ds.size('test');
  const n = o.n === undefined ? total : Number(o.n);
  if (!Number.isInteger(n) || n < 1 || n > total)
    throw new UsageError(`-n must be an integer in 1..${total} (the ${manifest.dataset.name} test split)`);
  const per = ds.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * per);
  const labels: Record<string, number[]> = Object.fromEntries(manifest.tasks.map((t) => [t.name, []]));
  let i = 0;
  for (const b of ds.batches('test', 256, { limit: n })) {
    x.set(b.x, i * per);
    const rows = b.x.length / per;
    for (const t of manifest.tasks) labels[t.name].push(...Array.from(b.labels[t.name]));
    i += rows;
  }
  writeTestset(o.out, {
    samples: n,
    dataset: manifest.dataset,
    split: 'test',
    range: [0, 1],
    inputs: [{ name: manifest.onnx?.input ?? 'input', dtype: 'float32', shape: [...ds.inputShape], layout: 'NHWC', data: x }],
    tasks: manifest.tasks,
    labels,
  });
  process.stdout.write(`${o.out}: ${n} samples of ${manifest.dataset.name} test, shape [${ds.inputShape.join(',')}] NHWC\n`);
}

runMain('export-testset', main);
