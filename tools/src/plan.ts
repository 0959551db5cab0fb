/**
 * Find the best split point of a trained bundle for your link, from compute measured on this machine
 * and the testbed's analytic latency model (no emulated network needed):
 *   npm run plan -- --model models/multimnist-resnet --profile lte --profile lora --codec int8
 *   npm run plan -- --model models/multimnist-resnet --up-kbps 250 --down-kbps 2000 --latency-ms 60 --codec f32,int8 --json plan.json
 */
import cliProgress from 'cli-progress';
import { CODECS, COMPRESSIONS } from '@mtl-split/codec';
import { loadDataset } from '@mtl-split/data';
import { ENGINES, openNetwork, readManifest, STEADY_RUNS, type SplitNetwork, type TensorData } from '@mtl-split/model/infer';
import { ANSWER_FORMS } from '@mtl-split/transport';
import { answerVariants, checkAnswerAxes } from './plan/answers.js';
import { measurePlan, randomInputs, testSample } from './plan/measure.js';
import {
  DEFAULT_DEVICES_DIR,
  DEFAULT_EDGE_DEVICE,
  DEFAULT_PROFILES_DIR,
  deviceNames,
  listProfiles,
  parseOptions,
  type RawOptions,
} from './plan/options.js';
import { planLink } from './plan/predict.js';
import { createProgram, engineLine, exitOnInterrupt, outputTarget, parseOrExit, runMain } from '@mtl-split/cli';
import { assumedDeviceLine, bestLine, bestSummary, formatLinkTable, type PlanReport } from './plan/report.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

const program = createProgram(
  'plan',
  'Predict the per-sample latency of every split point of a model bundle on your link(s) and pick the fastest.\n' +
    'Compute (edge half, cloud half, encode, decode) is measured on this machine for one real test sample (batch 1),\n' +
    'each half warm: warm-up runs, then the median of back-to-back runs (the figure the device emulation scales);\n' +
    'total = edge + encode + up bytes / up bandwidth + round-trip latency + decode + cloud + answer bytes / down bandwidth.\n' +
    "Answer bytes are the real answer's wire bytes (the cloud half's output coded as asked, InferResponse and its gRPC/HTTP2 framing) " +
    "per requested tasks and answer forms. Only the bundle's candidate split points are planned. KB = 1000 bytes.",
)
  .requiredOption('--model <dir>', 'model bundle folder, e.g. models/multimnist-resnet')
  .option('--profile <name>', `link profile from --profiles-dir (repeatable): ${listProfiles(DEFAULT_PROFILES_DIR).join(', ')}`, collect)
  .option('--profiles-dir <dir>', 'folder of link profile files NAME.json (default: testbed/profiles of this repository)')
  .option('--up-kbps <n>', "ad-hoc link 'custom': uplink KB/s")
  .option('--down-kbps <n>', 'ad-hoc link: downlink KB/s (default: = up)')
  .option('--latency-ms <n>', 'ad-hoc link: round-trip latency ms (default 0)')
  .option('--codec <list>', `comma-separated codecs: ${CODECS.join(', ')}`, 'int8')
  .option('--compress <stage>', `lossless stage after the codec: ${COMPRESSIONS.join(', ')}`, 'none')
  .option('--repeats <n>', 'timed back-to-back runs per figure (median; fewer when 3 s run out, at least 5)', String(STEADY_RUNS))
  .option('--warmup <n>', 'untimed runs before each figure (default 5)')
  .option('--tasks <list>', 'tasks a request asks for, comma-separated (repeatable: one row set per subset; default every task)', collect)
  .option(
    '--answer <task=forms>',
    `forms to plan for a task's answer: TASK=FORM[:COMPRESS][,FORM...] (repeatable, one per task; forms ${ANSWER_FORMS.join(', ')}; default the kind's)`,
    collect,
  )
  .option(
    '--edge-slowdown <k>',
    'edge device is k times slower than this machine (edge compute and encode x k; default 1); alone, the edge device is this-machine',
  )
  .option(
    '--edge-device <name>',
    `edge device profile from --devices-dir (compute x its slowdown, as the experiment emulates it): ${deviceNames(DEFAULT_DEVICES_DIR).join(', ')} ` +
      `(default ${DEFAULT_EDGE_DEVICE}, the default experiment's; this-machine: the edge is this machine as it is)`,
  )
  .option('--cloud-device <name>', 'cloud device profile from --devices-dir (default this-machine)')
  .option('--devices-dir <dir>', 'folder of device profile files NAME.json (default: testbed/devices of this repository)')
  .option(
    '--overhead-ms <ms>',
    'fixed cost of one request on its way (gRPC, proxies), added to every split that sends; the experiment passes the one it measured',
    '0',
  )
  .option('--cloud-speedup <k>', 'cloud is k times faster than this machine (cloud compute and decode / k)', '1')
  .option(
    '--json <file>',
    "also write the full result as JSON to FILE (atomically), or to standard output with '-' (the tables then go to stderr)",
  )
  .option('--runtime <engine>', `inference engine: ${ENGINES.join(', ')} (default: onnx when the bundle has model.onnx)`)
  .option('--threads <n>', 'ONNX Runtime intra-op threads', '1')
  .option('--no-progress', 'no progress bar');

let bar: cliProgress.SingleBar | null = null;

async function main(): Promise<void> {
  parseOrExit(program);
  const o = parseOptions(program.opts<RawOptions>());
  const json = o.json === null ? null : outputTarget('--json', o.json);
  exitOnInterrupt('plan', () => bar?.stop());

  const manifest = readManifest(o.model);
  // measured as this machine is (slowdown 1, whatever MTL_SPLIT_DEVICE_SLOWDOWN says): devices scale the figures
  const net = await openNetwork(o.model, { runtime: o.runtime, threads: o.threads, slowdown: 1 });
  process.stderr.write(`${engineLine('plan', net.engine, net.backend)}\n`);
  if (o.edgeDeviceAssumed) process.stderr.write(`${assumedDeviceLine(o.edgeDevice)}\n`);
  const bundle = { id: net.id, dir: o.model, manifest };
  checkAnswerAxes(o.answers, net.tasks);
  const answers = answerVariants(o.answers, net.tasks);
  const dataset = manifest.dataset;
  const x = planInputs(net, dataset ? testSample(loadDataset(dataset.name, { ...dataset.options })) : null);

  bar =
    o.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: 'plan: measuring {bar} {value}/{total} | eta {eta_formatted}' },
          cliProgress.Presets.shades_classic,
        )
      : null;
  let started = false;
  const m = await measurePlan(net, x, {
    codecs: o.codecs,
    compress: o.compress,
    repeats: o.repeats,
    warmup: o.warmup,
    answers,
    onProgress: (done, total) => {
      if (!started) bar?.start(total, 0);
      started = true;
      bar?.update(done);
    },
  });
  bar?.stop();
  await net.close();

  // measured on this machine: the device profiles' factors scale the halves (as the emulation scales the same figure)
  const devices = {
    edgeSlowdown: o.edgeSlowdown,
    cloudSpeedup: o.cloudSpeedup,
    overheadMs: o.overheadMs,
    edgeDevice: o.edgeDevice.slowdown,
    cloudDevice: o.cloudDevice.slowdown,
  };
  const plans = o.links.map((l) => o.codecs.flatMap((c) => answers.map((_, a) => planLink(m, l, c, a, devices))));
  // With `--json -` the JSON owns stdout: the tables go to stderr.
  const out = json?.toStdout ? process.stderr : process.stdout;
  out.write(
    `Model ${bundle.id} (bundle created ${bundle.manifest.createdAt}), engine ${net.engine} (${net.backend}), one test sample, each half warm (${o.warmup} warm-up runs, median of up to ${o.repeats}); ` +
      `edge device ${o.edgeDevice.name} (compute x${o.edgeDevice.slowdown}), cloud device ${o.cloudDevice.name} (x${o.cloudDevice.slowdown}), ` +
      `edge slowdown ${o.edgeSlowdown}, cloud speedup ${o.cloudSpeedup}, compress ${o.compress}; ${m.points.length} of ${net.splitPoints.length} split points (candidates)\n\n`,
  );
  o.links.forEach((l, i) => out.write(`${formatLinkTable(l, plans[i])}\n\n`));
  for (const p of plans.flat()) out.write(`${bestLine(p)}\n`);

  if (json !== null) {
    const report: PlanReport = {
      tool: 'plan',
      model: { id: bundle.id, dir: bundle.dir, createdAt: bundle.manifest.createdAt, dataset: dataset ?? null },
      engine: net.engine,
      backend: net.backend,
      measuredAt: new Date().toISOString(),
      sample: dataset ? { split: 'test', index: 0 } : { random: 'uniform [0, 1)', seed: 1 },
      repeats: o.repeats,
      warmup: o.warmup,
      compress: o.compress,
      edgeSlowdown: o.edgeSlowdown,
      cloudSpeedup: o.cloudSpeedup,
      edgeDevice: o.edgeDevice,
      cloudDevice: o.cloudDevice,
      answers,
      links: o.links,
      codecs: o.codecs,
      measurement: m,
      predictions: plans.flat(),
      best: bestSummary(plans.flat()),
    };
    json.write(`${JSON.stringify(report, null, 2)}\n`);
    if (!json.toStdout) process.stderr.write(`plan: wrote ${json.given}\n`);
  }
}

/** The timed sample: the dataset's first test sample (one input), else seeded random values for every input. */
function planInputs(net: SplitNetwork, sample: Float32Array | null): TensorData[] {
  return sample ? [{ data: sample, shape: [1, ...net.input.shape] }] : randomInputs(net.inputs, 1);
}

runMain('plan', main);
