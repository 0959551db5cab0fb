/**
 * Training-step and inference benchmark of the runtime's backends, all measured in one run:
 * wasm with the composite kernels and fast paths, wasm with the composites only (fast paths off),
 * the pure-JS cpu backend, and tfjs-node ('tensorflow') when it loads.
 * Prints a table and writes bench/latest.json. Usage: npm run bench -w @mtl-split/runtime
 * (`-- --skip-cpu` leaves out the cpu backend, whose MobileNetV2 step takes minutes, and writes
 * bench/latest-quick.json instead).
 * A reference beside our numbers: when a python3 with torch is found (bench/torch.ts: MTL_SPLIT_PYTHON,
 * else /usr/bin/python3, else python3), the same nets' training steps (LeNet b256, MobileNetV2 stack
 * b64, and the multimnist-resnet architecture of @mtl-split/model b64) also run in PyTorch, one thread,
 * rounds alternating ours / PyTorch, and the table gives ours / PyTorch; the BLAS torch uses is
 * reported (for OpenBLAS, its core; OPENBLAS_CORETYPE set on the command reaches torch and is recorded
 * in the JSON's command). Without torch it says so and skips. `--torch-only` runs just that comparison (writes
 * bench/latest-torch.json); `--no-torch` skips it.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '@mtl-split/stats';
import { initRuntime, setWasmFastPaths, tf } from '../src/index.js';
import { leNet, mobileNetV2Stack, resnetStep } from './nets.js';
import { TorchReference, type TorchRequest } from './torch.js';
import { errorMessage } from '@mtl-split/cli/errors';

type Variant = 'wasm' | 'wasm-composites-only' | 'cpu' | 'tensorflow';

interface NetSpec {
  name: string;
  build: () => tf.LayersModel;
  inputShape: [number, number, number];
  trainBatch: number;
}

const NETS: NetSpec[] = [
  { name: 'LeNet (2x conv5x5, 28x28x1)', build: leNet, inputShape: [28, 28, 1], trainBatch: 256 },
  { name: 'MobileNetV2 stack (5 inverted residual blocks, 32x32x3)', build: mobileNetV2Stack, inputShape: [32, 32, 3], trainBatch: 64 },
];

/** Timed repetitions (after warm-up) per variant; cpu is ~100x slower, so it gets one. The two wasm variants alternate. */
const REPS: Record<Variant, { warm: number; train: number; infer1: number; infer32: number }> = {
  wasm: { warm: 1, train: 6, infer1: 30, infer32: 10 },
  'wasm-composites-only': { warm: 1, train: 6, infer1: 30, infer32: 10 },
  tensorflow: { warm: 2, train: 5, infer1: 30, infer32: 10 },
  cpu: { warm: 0, train: 1, infer1: 3, infer32: 1 },
};

interface Row {
  net: string;
  task: string;
  batch: number;
  ms: Partial<Record<Variant, number>>;
  /** Change in tf.memory().numTensors over the timed training steps (0 = no leak). */
  leakedTensors?: Partial<Record<Variant, number>>;
}

/** Selects a variant on the already active backend (the wasm variants differ in the fast-path switch). */
function select(variant: Variant): void {
  setWasmFastPaths(variant !== 'wasm-composites-only');
}

/**
 * Median wall time per variant of `reps` calls after `warm` untimed ones. Variants sharing a backend
 * are interleaved call by call, so they see the same machine load (the median resists load spikes).
 */
async function timeMs(variants: Variant[], reps: number, warm: number, f: () => Promise<void>): Promise<Partial<Record<Variant, number>>> {
  const samples = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  for (const v of variants) {
    select(v);
    for (let i = 0; i < warm; i++) await f();
  }
  for (let i = 0; i < reps; i++) {
    for (const v of variants) {
      select(v);
      const t0 = performance.now();
      await f();
      samples.get(v)!.push(performance.now() - t0);
    }
  }
  select('wasm');
  return Object.fromEntries(variants.map((v) => [v, median(samples.get(v)!)]));
}

function trainingData(spec: NetSpec, n: number) {
  return tf.tidy(() => ({
    x: tf.randomUniform([n, ...spec.inputShape], 0, 1, 'float32', 1),
    y: tf.oneHot(tf.randomUniform([n], 0, 10, 'int32', 2) as tf.Tensor1D, 10),
  }));
}

/** Measures `variants` (all on one backend, interleaved) on one net. */
async function measure(variants: Variant[], spec: NetSpec, rows: Map<string, Row>): Promise<void> {
  const backend = variants[0] === 'wasm-composites-only' ? 'wasm' : (variants[0] as Variant);
  await tf.setBackend(backend);
  const reps = REPS[variants[0] as Variant];
  const model = spec.build();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const row = (task: string, batch: number): Row => {
    const key = `${spec.name}|${task}|${batch}`;
    if (!rows.has(key)) rows.set(key, { net: spec.name, task, batch, ms: {} });
    return rows.get(key)!;
  };

  const { x, y } = trainingData(spec, spec.trainBatch);
  const train = row('train step (fwd+bwd+Adam)', spec.trainBatch);
  // One untimed step first (it creates Adam's state), except on cpu where a step takes minutes.
  const trackLeaks = backend !== 'cpu';
  if (trackLeaks) await model.trainOnBatch(x, y);
  const before = tf.memory().numTensors;
  let steps = 0;
  Object.assign(
    train.ms,
    await timeMs(variants, reps.train, reps.warm, async () => {
      await model.trainOnBatch(x, y);
      steps++;
    }),
  );
  const leaked = tf.memory().numTensors - before;
  if (trackLeaks) for (const v of variants) (train.leakedTensors ??= {})[v] = leaked;
  tf.dispose([x, y]);

  for (const [batch, n] of [
    [1, reps.infer1],
    [32, reps.infer32],
  ] as const) {
    const xb = tf.randomUniform([batch, ...spec.inputShape]);
    Object.assign(
      row('inference', batch).ms,
      await timeMs(variants, n, backend === 'cpu' ? 0 : 3, async () => {
        const out = model.predict(xb) as tf.Tensor;
        await out.data();
        out.dispose();
      }),
    );
    xb.dispose();
  }
  model.dispose();
  process.stderr.write(`  done: ${variants.join(' + ')} ${spec.name} (${steps} training steps)\n`);
}

async function tryNode(): Promise<string | undefined> {
  try {
    const name = '@tensorflow/tfjs-node'; // optional dependency, absent where libtensorflow cannot be downloaded
    await import(/* @vite-ignore */ name);
    return tf.findBackend('tensorflow') ? undefined : 'tfjs-node loaded but registered no backend';
  } catch (err) {
    return errorMessage(err);
  }
}

function fmt(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

/** Our training step and PyTorch's on the same net, alternating rounds. */
interface TorchRow {
  net: string;
  batch: number;
  oursMs: number[];
  torchMs: number[];
  oursMedianMs: number;
  torchMedianMs: number;
  /** ours / PyTorch (median of the per-round medians). */
  ratio: number;
}

const TORCH_ROUNDS = 3;

/** Our step on wasm (fast paths on) for each reference net: a closure per net. */
interface OurStep {
  name: string;
  batch: number;
  req: TorchRequest;
  step: () => Promise<void>;
  steps: number;
  dispose: () => void;
}

async function ourSteps(): Promise<OurStep[]> {
  const out: OurStep[] = [];
  for (const spec of NETS) {
    const model = spec.build();
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const { x, y } = trainingData(spec, spec.trainBatch);
    const net: TorchRequest['net'] = spec.name.startsWith('LeNet') ? 'lenet' : 'mnv2';
    out.push({
      name: spec.name.split(' (')[0] as string,
      batch: spec.trainBatch,
      req: { net, batch: spec.trainBatch, steps: net === 'mnv2' ? 3 : 5 },
      steps: net === 'mnv2' ? 3 : 5,
      step: async () => {
        await model.trainOnBatch(x, y);
      },
      dispose: () => {
        tf.dispose([x, y]);
        model.dispose();
      },
    });
  }
  // the committed bundle's architecture, trained by @mtl-split/model's own code (a bench-only import)
  try {
    const { step, dispose } = await resnetStep();
    out.push({
      name: 'multimnist-resnet',
      batch: 64,
      req: { net: 'resnet', batch: 64, steps: 5, config: { bottleneck: { point: 'block4', channels: 8 } } },
      steps: 5,
      step,
      dispose,
    });
  } catch (err) {
    process.stderr.write(`multimnist-resnet skipped (needs @mtl-split/model): ${errorMessage(err)}\n`);
  }
  return out;
}

async function compareTorch(torch: TorchReference): Promise<TorchRow[]> {
  await tf.setBackend('wasm');
  select('wasm');
  const rows: TorchRow[] = [];
  for (const n of await ourSteps()) {
    await n.step(); // warm-up (creates Adam's state)
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < TORCH_ROUNDS; r++) {
      const t: number[] = [];
      for (let i = 0; i < n.steps; i++) {
        const t0 = performance.now();
        await n.step();
        t.push(performance.now() - t0);
      }
      ours.push(median(t));
      theirs.push(median(await torch.steps({ ...n.req, warm: r === 0 ? 2 : 1 })));
    }
    n.dispose();
    const row = {
      net: n.name,
      batch: n.batch,
      oursMs: ours,
      torchMs: theirs,
      oursMedianMs: median(ours),
      torchMedianMs: median(theirs),
      ratio: median(ours) / median(theirs),
    };
    rows.push(row);
    process.stderr.write(`  done: ours vs PyTorch ${n.name}: ${row.oursMedianMs.toFixed(0)} / ${row.torchMedianMs.toFixed(0)} ms\n`);
  }
  return rows;
}

function printTorch(rows: TorchRow[], torch: TorchReference): void {
  console.log(`\nTraining step (forward, backward, Adam), ours (wasm) against ${torch.describe()}`);
  console.log(`${TORCH_ROUNDS} rounds alternating ours / PyTorch, median per round:`);
  console.log(`${'net'.padEnd(20)} batch  ours ms (rounds)          PyTorch ms (rounds)       ours / PyTorch`);
  for (const r of rows) {
    const list = (v: number[]) => v.map((x) => x.toFixed(0)).join(', ');
    console.log(
      `${r.net.padEnd(20)} ${String(r.batch).padStart(5)}  ${list(r.oursMs).padEnd(25)} ${list(r.torchMs).padEnd(25)} ${r.ratio.toFixed(2)}x`,
    );
  }
}

async function main(): Promise<void> {
  const loadStart = os.loadavg()[0];
  await initRuntime({ backend: 'wasm' });
  const torchOnly = process.argv.includes('--torch-only');
  const noTorch = process.argv.includes('--no-torch');
  let torchRows: TorchRow[] | undefined;
  let torchNote: string;
  const torch = noTorch ? { absent: 'skipped (--no-torch)' } : await TorchReference.start();
  if (torch instanceof TorchReference) {
    torchNote = torch.describe();
    process.stderr.write(`reference: ${torchNote}\n`);
    try {
      torchRows = await compareTorch(torch);
    } finally {
      torch.close();
    }
  } else {
    torchNote = `PyTorch absent: ${torch.absent}; the PyTorch comparison is skipped`;
    process.stderr.write(`${torchNote}\n`);
  }
  const torchJson =
    torch instanceof TorchReference
      ? { info: torch.info, python: torch.python, rounds: TORCH_ROUNDS, rows: torchRows }
      : { absent: torch.absent };
  if (torchOnly) {
    if (torchRows && torch instanceof TorchReference) printTorch(torchRows, torch);
    else console.log(torchNote);
    const loadEnd = os.loadavg()[0];
    const file = join(dirname(fileURLToPath(import.meta.url)), 'latest-torch.json');
    const coretype = process.env.OPENBLAS_CORETYPE ? `OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE} ` : '';
    const cmd = `${coretype}npm run bench -w @mtl-split/runtime -- --torch-only`;
    writeFileSync(
      file,
      `${JSON.stringify({ date: new Date().toISOString(), command: cmd, node: process.version, cores: os.cpus().length, loadAverage1m: { start: loadStart, end: loadEnd }, tfjs: tf.version.tfjs, torch: torchJson }, null, 2)}\n`,
    );
    console.log(`\nload average (1 min) at start ${loadStart?.toFixed(1)}, at end ${loadEnd?.toFixed(1)}\nwrote ${file}`);
    return;
  }
  const nodeMissing = await tryNode();
  const skipCpu = process.argv.includes('--skip-cpu');
  const groups: Variant[][] = skipCpu ? [['wasm', 'wasm-composites-only']] : [['wasm', 'wasm-composites-only'], ['cpu']];
  if (nodeMissing === undefined) groups.splice(1, 0, ['tensorflow']);
  else process.stderr.write(`tensorflow backend skipped: ${nodeMissing}\n`);
  const variants = groups.flat();

  const rows = new Map<string, Row>();
  for (const spec of NETS) {
    for (const group of groups) await measure(group, spec, rows);
  }
  await tf.setBackend('wasm');

  const header = [
    'net',
    'task',
    'batch',
    'wasm ms',
    'wasm (composites only) ms',
    ...(variants.includes('tensorflow') ? ['tensorflow ms'] : []),
    'cpu ms',
    'wasm speedup vs cpu',
    'fast-path gain',
  ];
  const table = [...rows.values()].map((r) => [
    r.net,
    r.task,
    String(r.batch),
    fmt(r.ms.wasm),
    fmt(r.ms['wasm-composites-only']),
    ...(variants.includes('tensorflow') ? [fmt(r.ms.tensorflow)] : []),
    fmt(r.ms.cpu),
    r.ms.wasm && r.ms.cpu ? `${(r.ms.cpu / r.ms.wasm).toFixed(0)}x` : '-',
    r.ms.wasm && r.ms['wasm-composites-only'] ? `${(r.ms['wasm-composites-only'] / r.ms.wasm).toFixed(2)}x` : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => (t[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const t of table) console.log(line(t));
  const loadEnd = os.loadavg()[0];
  if (torchRows && torch instanceof TorchReference) printTorch(torchRows, torch);
  else console.log(`\n${torchNote}`);
  console.log(
    `\nload average (1 min) at start ${loadStart?.toFixed(1)}, at end ${loadEnd?.toFixed(1)} on ${os.cpus().length} cores; medians; cpu backend timed over ${REPS.cpu.train} training step(s). Numbers are noisy on a shared machine: compare ratios within this run.`,
  );

  const out = {
    date: new Date().toISOString(),
    command: 'npm run bench -w @mtl-split/runtime',
    node: process.version,
    cores: os.cpus().length,
    loadAverage1m: { start: loadStart, end: loadEnd },
    tfjs: tf.version.tfjs,
    tensorflowBackend: nodeMissing === undefined ? 'loaded' : `unavailable: ${nodeMissing}`,
    reps: REPS,
    torch: torchJson,
    results: [...rows.values()].map((r) => ({
      ...r,
      speedupWasmVsCpu: r.ms.wasm && r.ms.cpu ? r.ms.cpu / r.ms.wasm : undefined,
      speedupFastPaths: r.ms.wasm && r.ms['wasm-composites-only'] ? r.ms['wasm-composites-only'] / r.ms.wasm : undefined,
    })),
  };
  const file = join(dirname(fileURLToPath(import.meta.url)), skipCpu ? 'latest-quick.json' : 'latest.json');
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
