/**
 * Backbone benchmark: accuracy of the trained bundles under models/ (read from their manifests),
 * split tables of every backbone, inference / training-step time per backbone on this machine, and the
 * training step time of the committed bundle's architecture with 1 and 2 threads (trainModel `workers`).
 *   npm run bench -w @mtl-split/model
 * A reference beside our numbers: when a python3 with torch is found (MTL_SPLIT_PYTHON, else
 * /usr/bin/python3, else python3; see packages/runtime/bench/torch.ts), the training step of vgg, resnet
 * and mobilenet (batch 64, same architecture: runtime/bench/torch_nets.py; unet has no PyTorch twin)
 * also runs in PyTorch on one thread, in rounds alternating ours / PyTorch, and the ratio ours / PyTorch
 * is printed with the BLAS torch uses (for OpenBLAS, its core; OPENBLAS_CORETYPE set for this command
 * reaches torch). Without torch it says so and skips.
 * Timings are noisy on a shared 2-core machine; compare ratios within one run.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initRuntime, tf } from '@mtl-split/runtime';
import { loadDataset } from '@mtl-split/data';
import { BACKBONES, buildModel, formatSplitTable, loadBundle, trainModel, type MtlNet } from '../src/index.js';
import { mean, median } from '@mtl-split/stats';
import { TorchReference, type TorchRequest } from '../../runtime/bench/torch.js';
import { errorMessage } from '@mtl-split/cli/errors';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const TASKS = [
  { name: 'left', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
  { name: 'right', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
];

function timeMs(fn: () => void, reps: number): number {
  fn();
  const t = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t) / reps;
}

function stepTimer(m: MtlNet, batch: number): () => void {
  const x = tf.randomUniform([batch, ...m.inputShape]) as tf.Tensor4D;
  const y = tf.zeros([batch], 'int32') as tf.Tensor1D;
  const opt = tf.train.adam(1e-3);
  return () =>
    tf.tidy(() => {
      opt.minimize(
        () => {
          const out = m.forward(x, { training: true, nextSeed: () => 1 });
          return tf.addN(m.heads.map((h) => h.loss(out[h.task], y))) as tf.Scalar;
        },
        false,
        m.variables(),
      );
    });
}

const info = await initRuntime();
console.log(`backend: ${info.backend} (timings noisy: shared 2-core machine)\n`);

interface BundleRow {
  bundle: string;
  backbone: string;
  tasks: string[];
  testAccuracy: Record<string, number>;
  epochs: number;
  trainSamples: number;
  trainSeconds: number;
  weightBytes: number;
  command: string;
}
const bundles: BundleRow[] = [];
const modelsDir = join(repo, 'models');
const names = existsSync(modelsDir)
  ? readdirSync(modelsDir)
      .filter((d) => !d.startsWith('.'))
      .sort()
  : [];
for (const name of names) {
  const dir = join(modelsDir, name);
  try {
    const bundle = await loadBundle(dir);
    const t = bundle.manifest.training;
    bundles.push({
      bundle: `models/${name}`,
      backbone: bundle.manifest.backbone.name,
      tasks: bundle.manifest.tasks.map((x) => x.name),
      testAccuracy: t?.metrics.testAccuracy ?? {},
      epochs: t?.options.epochs ?? 0,
      trainSamples: t?.options.trainSamples ?? 0,
      trainSeconds: Math.round(t?.metrics.seconds ?? 0),
      weightBytes: bundle.manifest.weights.bytes,
      command: t?.command ?? '',
    });
    bundle.model.dispose();
  } catch (err) {
    console.log(`skipping ${dir}: ${errorMessage(err)}`);
  }
}
const pct = (v: number | undefined): string => (v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);
console.log('Trained bundles (test accuracy from the manifests)');
console.log(`${'bundle'.padEnd(32)}${'backbone'.padEnd(10)}${'test accuracy'.padEnd(30)}epochs  samples  train s  weights`);
for (const r of bundles) {
  const acc = Object.entries(r.testAccuracy)
    .map(([k, v]) => `${k} ${pct(v)}`)
    .join(', ');
  console.log(
    `${r.bundle.padEnd(32)}${r.backbone.padEnd(10)}${acc.padEnd(30)}${String(r.epochs).padStart(6)}  ${String(r.trainSamples).padStart(7)}  ${String(r.trainSeconds).padStart(7)}  ${(r.weightBytes / 1e6).toFixed(2)} MB`,
  );
}
if (!bundles.length) console.log('(none found)');

const torch = await TorchReference.start();
const torchNote = torch instanceof TorchReference ? torch.describe() : `PyTorch absent: ${torch.absent}; the PyTorch comparison is skipped`;
console.log(`\nreference: ${torchNote}`);
const TORCH_ROUNDS = 3;
/** Backbones torch_nets.py builds; the others (unet) are timed without a PyTorch twin. */
const TORCH_TWINS: ReadonlySet<string> = new Set<TorchRequest['net']>(['vgg', 'resnet', 'mobilenet']);
const backbones = [];
for (const b of BACKBONES) {
  const m = buildModel({ backbone: b, inputShape: [28, 28, 1], tasks: TASKS });
  const x = tf.randomUniform([64, 28, 28, 1]) as tf.Tensor4D;
  const inferMs = timeMs(() => tf.dispose(m.predict(x)), 5);
  const step = stepTimer(m, 64);
  step(); // warm-up (Adam's state)
  let stepMs: number;
  let vsTorch: { oursMs: number[]; torchMs: number[]; ratio: number } | undefined;
  if (torch instanceof TorchReference && TORCH_TWINS.has(b)) {
    // rounds alternate ours / PyTorch on the same architecture (median of 3 steps per round)
    const req: TorchRequest = {
      net: b as TorchRequest['net'],
      batch: 64,
      steps: 3,
      config: { backboneConfig: m.config.backboneConfig, inputShape: [28, 28, 1], tasks: TASKS.map((t) => t.classes.length) },
    };
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < TORCH_ROUNDS; r++) {
      const t: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        step();
        t.push(performance.now() - t0);
      }
      ours.push(median(t));
      theirs.push(median(await torch.steps({ ...req, warm: r === 0 ? 2 : 1 })));
    }
    stepMs = median(ours);
    vsTorch = { oursMs: ours, torchMs: theirs, ratio: median(ours) / median(theirs) };
  } else {
    stepMs = timeMs(step, 3);
  }
  console.log(`\n${b}: ${m.paramCount} parameters, config ${JSON.stringify(m.config.backboneConfig)}`);
  console.log(`predict batch 64: ${inferMs.toFixed(1)} ms; training step batch 64: ${stepMs.toFixed(0)} ms`);
  if (vsTorch) {
    console.log(
      `PyTorch training step batch 64: ${vsTorch.torchMs.map((v) => v.toFixed(0)).join(', ')} ms (ours ${vsTorch.oursMs.map((v) => v.toFixed(0)).join(', ')}, alternating rounds): ours / PyTorch ${vsTorch.ratio.toFixed(2)}x`,
    );
  }
  console.log(formatSplitTable(m.splitPoints));
  backbones.push({
    backbone: b,
    config: m.config.backboneConfig,
    params: m.paramCount,
    predictMsBatch64: inferMs,
    trainStepMsBatch64: stepMs,
    torch: vsTorch,
    splitPoints: m.splitPoints,
  });
  x.dispose();
  m.dispose();
}
if (torch instanceof TorchReference) torch.close();
const torchJson =
  torch instanceof TorchReference ? { info: torch.info, python: torch.python, rounds: TORCH_ROUNDS } : { absent: torch.absent };
if (torch instanceof TorchReference) {
  console.log(`\ntraining step batch 64, ours (${info.backend}) / PyTorch (${torchNote}):`);
  for (const r of backbones.filter((x) => x.torch))
    console.log(
      `  ${r.backbone.padEnd(10)} ${r.trainStepMsBatch64.toFixed(0).padStart(6)} ms / ${median(r.torch?.torchMs ?? [NaN])
        .toFixed(0)
        .padStart(5)} ms = ${r.torch?.ratio.toFixed(2)}x`,
    );
}

// Data-parallel training: ms per step of trainModel (batch 64, MultiMNIST, the committed bundle's
// architecture) with 1 and 2 threads, alternating runs; the first 4 steps of each run are warm-up.
const STEPS = 30;
const mm = loadDataset('multimnist', { trainSize: 64 * STEPS, testSize: 64 });
const threadRuns: Record<string, number[]> = { '1': [], '2': [] };
for (let round = 0; round < 2; round++) {
  for (const workers of [1, 2]) {
    const m = buildModel({ backbone: 'resnet', inputShape: [28, 28, 1], tasks: TASKS, bottleneck: { point: 'block4', channels: 8 } });
    let last = 0;
    const steps: number[] = [];
    await trainModel(m, mm, {
      epochs: 1,
      batchSize: 64,
      lr: 2e-3,
      seed: 1,
      workers,
      onStep: (st) => {
        const now = performance.now();
        if (st.step > 4) steps.push(now - last);
        last = now;
      },
    });
    threadRuns[String(workers)].push(steps.reduce((a, b) => a + b, 0) / steps.length);
    m.dispose();
  }
}
const threads = { steps: STEPS, msPerStep: threadRuns, speedup: mean(threadRuns['1']) / mean(threadRuns['2']) };
console.log(`\ntraining threads (resnet + block4:8 bottleneck, batch 64, ${STEPS} steps per run, 2 alternating rounds): ms per step`);
console.log(`  1 thread:  ${threadRuns['1'].map((v) => v.toFixed(0)).join(', ')}`);
console.log(`  2 threads: ${threadRuns['2'].map((v) => v.toFixed(0)).join(', ')}   speedup ${threads.speedup.toFixed(2)}x`);

const out = join(here, 'latest.json');
writeFileSync(
  out,
  JSON.stringify({ date: new Date().toISOString(), backend: info.backend, torch: torchJson, bundles, backbones, threads }, null, 2) + '\n',
);
console.log(`\nwrote ${out}`);
