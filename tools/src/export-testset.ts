/**
 * Writes the first N test samples of a dataset as a labelled test set (the format of
 * packages/data/src/testset/README.md), for the edge (`--inputs DIR`) and for tools outside this project
 * (the plain ONNX Runtime example, Python, C++): inputs.f32 (float32 little-endian, samples one after
 * another) and labels.json (format, inputs, tasks with class names, labels).
 *   npm run export-testset -- --model models/multimnist-resnet --out out/testset [-n 10000]
 *   npm run export-testset -- --dataset shapes3d-dense --out out/dense-testset -n 200
 * With --model the bundle's dataset (and options), input name and layout, and its tasks: a dataset with
 * dense labels (shapes3d-dense) gives its segmentation task the class maps (uint8 [H, W]) and each dense
 * task the depth (1 channel) or the surface normals (3 channels) in its output's shape and layout. With
 * --dataset alone: the factor tasks, 'segmentation' [H, W], 'depth' [H, W, 1] and 'normals' [H, W, 3]
 * (channel last, as the images).
 */
import { createProgram, parseOrExit, runMain, UsageError } from '@mtl-split/cli';
import {
  denseSampleAt,
  isDenseDataset,
  loadDataset,
  writeTestset,
  type Batch,
  type Dataset,
  type DenseBatch,
  type DenseDataset,
  type TestsetContent,
} from '@mtl-split/data';
import { readManifest, trainedManifest, type TaskSpec } from '@mtl-split/model/infer';

const program = createProgram(
  'export-testset',
  "Write the first N test samples of a bundle's (or a dataset's) test split as a labelled test set: inputs.f32 + labels.json (+ dense label files).",
)
  .option('--model <dir>', 'model bundle folder (its manifest names the dataset and its options, the input and the tasks)')
  .option('--dataset <name>', 'instead of --model: a dataset by name')
  .option('--dataset-options <json>', "with --dataset: the dataset's options as JSON", '{}')
  .requiredOption('--out <dir>', 'output folder (created)')
  .option('-n, --n <count>', 'samples from the start of the test split (default: all)');

/** What is exported: the dataset, the input's name and layout, and the tasks to label (absent: the dataset's). */
interface Plan {
  ds: Dataset;
  datasetRecord: unknown;
  input: string;
  layout: 'NHWC' | 'NCHW';
  tasks?: readonly TaskSpec[];
}

function planOf(o: { model?: string; dataset?: string; datasetOptions: string }): Plan {
  if (o.model !== undefined) {
    const m = trainedManifest(o.model, readManifest(o.model));
    const ds = loadDataset(m.dataset.name, { ...m.dataset.options });
    return { ds, datasetRecord: m.dataset, input: m.onnx?.input ?? 'input', layout: m.onnx?.layout ?? 'NHWC', tasks: m.tasks };
  }
  if (o.dataset === undefined) throw new UsageError('give --model DIR or --dataset NAME');
  let options: Record<string, unknown>;
  try {
    options = JSON.parse(o.datasetOptions) as Record<string, unknown>;
  } catch {
    throw new UsageError(`invalid --dataset-options: not JSON: ${o.datasetOptions}`);
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new UsageError(`invalid --dataset-options: a JSON object expected, got ${o.datasetOptions}`);
  return { ds: loadDataset(o.dataset, options), datasetRecord: { name: o.dataset, options }, input: 'input', layout: 'NHWC' };
}

const isDense = (b: Batch): b is DenseBatch => 'classMap' in b && 'depth' in b && 'normals' in b;

/** HWC values to CHW. */
function toChw(x: Float32Array, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[k * h * w + p] = x[p * c + k];
  return out;
}

/** Which dense label a task gets (or none): the class map, the depth or the normals, in the task's output layout. */
type DenseLabel = { task: string; what: 'classMap' | 'depth' | 'normals'; shape: number[]; chw: boolean };

function denseLabels(ds: DenseDataset, tasks: readonly TaskSpec[] | undefined): DenseLabel[] {
  const [h, w] = ds.dense.size;
  if (!tasks)
    return [
      { task: 'segmentation', what: 'classMap', shape: [h, w], chw: false },
      { task: 'depth', what: 'depth', shape: [h, w, 1], chw: false },
      { task: 'normals', what: 'normals', shape: [h, w, 3], chw: false },
    ];
  const out: DenseLabel[] = [];
  for (const t of tasks) {
    const o = t.outputs?.[0];
    if (t.kind === 'segmentation') out.push({ task: t.name, what: 'classMap', shape: [h, w], chw: false });
    if (t.kind !== 'dense' || !o) continue;
    const chw = o.layout !== 'NHWC';
    const c = chw ? o.shape[0] : o.shape[o.shape.length - 1];
    if (c === 1 || c === 3) out.push({ task: t.name, what: c === 1 ? 'depth' : 'normals', shape: [...o.shape], chw });
  }
  return out;
}

/** The first n test samples: inputs in the plan's layout, factor labels, and dense labels when the dataset has them. */
function collect(p: Plan, n: number): Pick<TestsetContent, 'inputs' | 'labels'> {
  const [h, w, c] = p.ds.inputShape;
  const per = h * w * c;
  const x = new Float32Array(n * per);
  const factor = p.ds.tasks.filter(
    (d) => !p.tasks || p.tasks.some((t) => t.name === d.name && (t.kind ?? 'classification') === 'classification'),
  );
  const labels: Record<string, number[]> = Object.fromEntries(factor.map((t) => [t.name, []]));
  const dense = isDenseDataset(p.ds) ? denseLabels(p.ds, p.tasks) : [];
  const maps: Record<string, number[]> = Object.fromEntries(dense.map((d) => [d.task, []]));
  const chw = p.layout === 'NCHW';
  let i = 0;
  const batches = isDenseDataset(p.ds) ? p.ds.denseBatches('test', 64, { limit: n }) : p.ds.batches('test', 256, { limit: n });
  for (const b of batches) {
    for (let r = 0; r < b.n; r++, i++) {
      const img = b.x.subarray(r * per, (r + 1) * per);
      x.set(chw ? toChw(img, h, w, c) : img, i * per);
      for (const t of factor) labels[t.name].push(b.labels[t.name][r]);
      if (!isDense(b)) continue;
      const s = denseSampleAt(b, r);
      for (const d of dense) maps[d.task].push(...(d.what === 'normals' && d.chw ? toChw(s.normals, h, w, 3) : s[d.what]));
    }
  }
  const denseEntries = dense.map((d) => [
    d.task,
    {
      dtype: d.what === 'classMap' ? ('uint8' as const) : ('float32' as const),
      shape: d.shape,
      data: maps[d.task],
      ...(d.what === 'classMap' ? {} : { quantity: d.what }),
    },
  ]);
  return {
    inputs: [{ name: p.input, dtype: 'float32', shape: chw ? [c, h, w] : [h, w, c], layout: p.layout, data: x }],
    labels: { ...labels, ...Object.fromEntries(denseEntries) },
  };
}

async function main(): Promise<void> {
  parseOrExit(program);
  const o = program.opts<{ model?: string; dataset?: string; datasetOptions: string; out: string; n?: string }>();
  const plan = planOf(o);
  const total = plan.ds.size('test');
  const n = o.n === undefined ? total : Number(o.n);
  if (!Number.isInteger(n) || n < 1 || n > total)
    throw new UsageError(`-n must be an integer in 1..${total} (the ${plan.ds.name} test split)`);
  const { inputs, labels } = collect(plan, n);
  const tasks = plan.tasks ?? plan.ds.tasks;
  writeTestset(o.out, {
    samples: n,
    dataset: plan.datasetRecord,
    split: 'test',
    range: [0, 1],
    inputs,
    tasks: tasks.map((t) => ({ ...t })),
    labels,
  });
  const dense = Object.entries(labels).filter(([, l]) => !Array.isArray(l));
  process.stdout.write(
    `${o.out}: ${n} samples of ${plan.ds.name} test, input ${plan.input} [${inputs[0].shape.join(',')}] ${plan.layout}, labels ${Object.keys(labels).join(', ')}${dense.length ? ` (${dense.map(([k]) => k).join(', ')} as maps)` : ''}\n`,
  );
}

runMain('export-testset', main);
