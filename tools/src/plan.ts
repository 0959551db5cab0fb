/**
 * Find the best split point of a trained bundle for your link, from compute measured on this machine
 * and the testbed's analytic latency model (no emulated network needed):
 *   npm run plan -- --model models/multimnist-resnet --profile lte --profile lora --codec int8
 *   npm run plan -- --model models/multimnist-resnet --up-kbps 250 --down-kbps 2000 --latency-ms 60 --codec f32,int8 --json plan.json
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { CODECS, COMPRESSIONS } from '@mtl-split/codec';
import { loadDataset } from '@mtl-split/data';
import { loadBundle } from '@mtl-split/model';
import { initRuntime } from '@mtl-split/runtime';
import { measurePlan, testSample } from './plan/measure.js';
import { DEFAULT_PROFILES_DIR, listProfiles, parseOptions, UsageError, type RawOptions } from './plan/options.js';
import { ANSWER_BYTES_PER_CLASS, ANSWER_OVERHEAD_BYTES, answerBytes, planLink } from './plan/predict.js';
import { failWith, parseOrExit } from '@mtl-split/cli';
import { bestLine, bestSummary, formatLinkTable, writeAtomic, type PlanReport } from './plan/report.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

const program = new Command()
  .name('plan')
  .description(
    'Predict the per-sample latency of every split point of a model bundle on your link(s) and pick the fastest.\n' +
      'Compute (edge half, cloud half, encode, decode) is measured on this machine for one real test sample (batch 1);\n' +
      'total = edge + encode + up bytes / up bandwidth + round-trip latency + decode + cloud + answer bytes / down bandwidth.\n' +
      `The answer size is a fixed estimate: ${ANSWER_BYTES_PER_CLASS} bytes per class per task + ${ANSWER_OVERHEAD_BYTES} bytes. KB = 1000 bytes.`,
  )
  .requiredOption('--model <dir>', 'model bundle folder, e.g. models/multimnist-resnet')
  .option('--profile <name>', `link profile from --profiles-dir (repeatable): ${listProfiles(DEFAULT_PROFILES_DIR).join(', ')}`, collect)
  .option('--profiles-dir <dir>', 'folder of link profile files NAME.json (default: testbed/profiles of this repository)')
  .option('--up-kbps <n>', "ad-hoc link 'custom': uplink KB/s")
  .option('--down-kbps <n>', 'ad-hoc link: downlink KB/s (default: = up)')
  .option('--latency-ms <n>', 'ad-hoc link: round-trip latency ms (default 0)')
  .option('--codec <list>', `comma-separated codecs: ${CODECS.join(', ')}`, 'int8')
  .option('--compress <stage>', `lossless stage after the codec: ${COMPRESSIONS.join(', ')}`, 'none')
  .option('--repeats <n>', 'timed runs per split point (median)', '20')
  .option('--edge-slowdown <k>', 'edge device is k times slower than this machine (edge compute and encode x k)', '1')
  .option('--cloud-speedup <k>', 'cloud is k times faster than this machine (cloud compute and decode / k)', '1')
  .option('--json <file>', 'also write the full result as JSON (atomically)')
  .option('--no-progress', 'no progress bar')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const fail = failWith('plan');

async function main(): Promise<void> {
  parseOrExit(program);
  const o = parseOptions(program.opts<RawOptions>());
  if (o.json !== null) {
    const dir = dirname(resolve(o.json));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`invalid --json '${o.json}': folder ${dir} does not exist`);
  }

  const runtime = await initRuntime();
  process.stderr.write(`plan: backend ${runtime.backend}\n`);
  const bundle = await loadBundle(o.model);
  const ds = loadDataset(bundle.manifest.dataset.name, { ...bundle.manifest.dataset.options });
  const sample = testSample(ds);

  const bar = o.progress && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'plan: measuring {bar} {value}/{total} | eta {eta_formatted}' }, cliProgress.Presets.shades_classic) : null;
  let started = false;
  const m = await measurePlan(bundle.model, sample, {
    codecs: o.codecs,
    compress: o.compress,
    repeats: o.repeats,
    onProgress: (done, total) => {
      if (!started) bar?.start(total, 0);
      started = true;
      bar?.update(done);
    },
  });
  bar?.stop();

  const down = answerBytes(bundle.manifest.tasks);
  const devices = { edgeSlowdown: o.edgeSlowdown, cloudSpeedup: o.cloudSpeedup };
  const plans = o.links.map((l) => o.codecs.map((c) => planLink(m, l, c, down, devices)));
  const out = process.stdout;
  out.write(
    `Model ${bundle.id} (bundle created ${bundle.manifest.createdAt}), backend ${runtime.backend}, one test sample, median of ${o.repeats} runs; ` +
      `edge slowdown ${o.edgeSlowdown}, cloud speedup ${o.cloudSpeedup}, compress ${o.compress}, answer ${down} bytes\n\n`,
  );
  o.links.forEach((l, i) => out.write(`${formatLinkTable(l, plans[i])}\n\n`));
  for (const p of plans.flat()) out.write(`${bestLine(p)}\n`);

  if (o.json !== null) {
    const report: PlanReport = {
      tool: 'plan',
      model: { id: bundle.id, dir: bundle.dir, createdAt: bundle.manifest.createdAt, dataset: bundle.manifest.dataset },
      backend: runtime.backend,
      measuredAt: new Date().toISOString(),
      sample: { split: 'test', index: 0 },
      repeats: o.repeats,
      compress: o.compress,
      edgeSlowdown: o.edgeSlowdown,
      cloudSpeedup: o.cloudSpeedup,
      answerBytes: down,
      links: o.links,
      codecs: o.codecs,
      measurement: m,
      predictions: plans.flat(),
      best: bestSummary(plans.flat()),
    };
    writeAtomic(o.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`plan: wrote ${o.json}\n`);
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), err instanceof UsageError ? 2 : 1));
