/**
 * Accuracy, SNR and frame bytes of every codec at every split point of a bundle:
 *   npx tsx tools/src/codec-accuracy.ts --model models/multimnist-resnet [-n 2000] [--json FILE]
 * Prints a markdown table and the issue's bars; writes JSON (default tools/bench/codec-accuracy.json).
 * A model with dense tasks (a unet) gets every task's metrics by kind instead (mIoU, depth and normals errors).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { createProgram, engineLine, parseOrExit, runMain, UsageError } from '@mtl-split/cli';
import { z } from 'zod';
import { CODECS, type CodecName } from '@mtl-split/codec';
import { type Dataset, loadDataset } from '@mtl-split/data';
import { type Bundle, loadBundle } from '@mtl-split/model';
import { initRuntime } from '@mtl-split/runtime';
import { denseTestBatches, formatDenseTable, lossyCosts, measureDense } from './codec-accuracy/dense.js';
import { DEFAULT_CODECS, measureCodecAccuracy } from './codec-accuracy/measure.js';
import { checkBars, formatTable } from './codec-accuracy/table.js';

const DEFAULT_JSON = resolve(dirname(fileURLToPath(import.meta.url)), '../bench/codec-accuracy.json');

const program = createProgram(
  'codec-accuracy',
  'Per-task accuracy, SNR and frame bytes of every codec at every split point of a model bundle.',
)
  .requiredOption('--model <dir>', 'model bundle folder, e.g. models/multimnist-resnet')
  .option('-n, --samples <n>', 'test samples (the first n of the test split)', '2000')
  .option('--batch <n>', 'samples per edge/cloud batch', '100')
  .option('--codecs <list>', `comma-separated codecs (f32 always included): ${CODECS.join(', ')}`)
  .option('--points <list>', 'comma-separated split points (default: all)')
  .option('--min-group-values <n>', 'encode option for int8-channel and uint4 (default: the codec default, 32)')
  .option('--json <file>', 'JSON output file', DEFAULT_JSON)
  .option('--no-progress', 'no progress bar');

const intArg = (name: string, min: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be an integer >= ${min}`)
    .transform(Number)
    .refine((v) => v >= min, `${name} must be an integer >= ${min}`);

const optionsSchema = z.object({
  model: z.string().min(1),
  samples: intArg('-n', 1),
  batch: intArg('--batch', 1),
  codecs: z.string().optional(),
  points: z.string().optional(),
  minGroupValues: intArg('--min-group-values', 1).optional(),
  json: z.string().min(1),
  progress: z.boolean(),
});

function list(s: string | undefined): string[] | undefined {
  return s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0);
}

async function main(): Promise<void> {
  parseOrExit(program);
  const parsed = optionsSchema.safeParse(program.opts());
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  const o = parsed.data;
  const codecs = list(o.codecs) ?? [...DEFAULT_CODECS];
  for (const c of codecs) {
    if (!(CODECS as readonly string[]).includes(c)) throw new UsageError(`unknown codec '${c}'; valid: ${CODECS.join(', ')}`);
  }

  const runtime = await initRuntime();
  process.stderr.write(`${engineLine('codec-accuracy', 'tfjs', runtime.backend)}\n`);
  const bundle = await loadBundle(o.model);
  const points = list(o.points);
  const valid = bundle.model.splitPoints.map((p) => p.name);
  for (const p of points ?? []) {
    if (!valid.includes(p)) throw new UsageError(`model '${bundle.id}' has no split point '${p}'; valid: ${valid.join(', ')}`);
  }
  const ds = loadDataset(bundle.manifest.dataset.name, { ...bundle.manifest.dataset.options });
  if (o.samples > ds.size('test')) throw new UsageError(`-n ${o.samples} exceeds the ${ds.size('test')} samples of the test split`);
  if (bundle.model.isFlow || bundle.model.decoders.length > 0) {
    await reportDense(bundle, ds, { ...o, points: points ?? valid, codecs: codecs as CodecName[] });
    return;
  }

  const total = (points ?? valid).length * o.samples;
  const bar =
    o.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar({ format: '{point} {bar} {value}/{total} | eta {eta_formatted}' }, cliProgress.Presets.shades_classic)
      : null;
  bar?.start(total, 0, { point: '' });
  let before = 0;
  let current = '';
  const started = Date.now();
  const result = await measureCodecAccuracy(bundle.model, bundle.id, ds, {
    samples: o.samples,
    batchSize: o.batch,
    codecs: codecs as CodecName[],
    points,
    minGroupValues: o.minGroupValues,
    onProgress: (point, done) => {
      if (point !== current) {
        if (current !== '') before += o.samples;
        current = point;
        if (!bar && o.progress) process.stderr.write(`codec-accuracy: ${point}\n`);
      }
      bar?.update(before + done, { point });
    },
  });
  bar?.stop();
  const seconds = (Date.now() - started) / 1000;

  const bars = checkBars(result);
  process.stdout.write(
    `Model ${bundle.id} (bundle created ${bundle.manifest.createdAt}), ${result.samples} test samples, backend ${runtime.backend}, ${seconds.toFixed(0)} s\n\n`,
  );
  process.stdout.write(`${formatTable(result)}\n\n`);
  for (const b of bars) process.stdout.write(`bar ${b.name}: ${b.detail} ${b.pass ? 'PASS' : 'FAIL'}\n`);

  const json = {
    ...result,
    bundleCreatedAt: bundle.manifest.createdAt,
    dataset: bundle.manifest.dataset,
    backend: runtime.backend,
    minGroupValues: o.minGroupValues ?? null,
    measuredAt: new Date().toISOString(),
    seconds,
    bars,
    // JSON has no Infinity: lossless SNR is written as null
    rows: result.rows.map((r) => ({
      ...r,
      snrDb: Number.isFinite(r.snrDb) ? r.snrDb : null,
      minSampleSnrDb: Number.isFinite(r.minSampleSnrDb) ? r.minSampleSnrDb : null,
    })),
  };
  writeJson(o.json, json);
}

/**
 * A model with dense tasks or multi-tensor cuts: every task's metrics by kind at every point and codec
 * (`codec-accuracy/dense.ts`), each lossy codec's change against f32, and the rows as JSON.
 */
async function reportDense(
  bundle: Bundle,
  ds: Dataset,
  o: { samples: number; batch: number; points: string[]; codecs: CodecName[]; minGroupValues?: number; json: string; progress: boolean },
): Promise<void> {
  const codecs: CodecName[] = ['f32', ...o.codecs.filter((c) => c !== 'f32')];
  const started = Date.now();
  const batches = denseTestBatches(bundle.model, ds, o.samples, o.batch);
  const rows = await measureDense(bundle.model, batches, o.points, codecs, {
    minGroupValues: o.minGroupValues,
    onRow: (r, done, total) => {
      if (o.progress) process.stderr.write(`codec-accuracy: ${r.point} ${r.codec} (${done}/${total})\n`);
    },
  });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `Model ${bundle.id} (bundle created ${bundle.manifest.createdAt}), ${o.samples} test samples, ${seconds.toFixed(0)} s\n\n`,
  );
  process.stdout.write(`${formatDenseTable(rows)}\n\n${lossyCosts(rows).join('\n')}\n`);
  const json = {
    model: bundle.id,
    bundleCreatedAt: bundle.manifest.createdAt,
    dataset: bundle.manifest.dataset,
    samples: o.samples,
    measuredAt: new Date().toISOString(),
    seconds,
    rows,
  };
  writeJson(o.json, json);
}

/** Writes the results file (its folder made if missing) and says so on stderr. */
function writeJson(file: string, json: unknown): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stderr.write(`codec-accuracy: wrote ${file}\n`);
}

runMain('codec-accuracy', main);
