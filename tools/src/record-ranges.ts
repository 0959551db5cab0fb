/**
 * Records each split point's value range in existing bundles' manifest.json (bundles made before ranges
 * were recorded), so the cloud refuses frames far outside them:
 *   npx tsx tools/src/record-ranges.ts --model models/multimnist-resnet [--model ...] [--samples 512]
 * A trained bundle is calibrated on the first samples of its dataset's test split; an imported one on
 * seeded probe inputs in its input range. model.onnx runs on ONNX Runtime; nothing else is rewritten.
 */
import { createProgram, parseOrExit, runMain, UsageError } from '@mtl-split/cli';
import { loadDataset } from '@mtl-split/data';
import { CALIBRATION_SAMPLES, calibrationBatch, isImported, probeBatch, readManifest, recordBundleRanges } from '@mtl-split/model';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

const program = createProgram(
  'record-ranges',
  "Record each split point's value range over a calibration batch in model bundles' manifest.json.",
)
  .requiredOption('--model <dir>', 'model bundle folder (repeatable)', collect)
  .option('--samples <n>', `calibration samples (default ${CALIBRATION_SAMPLES})`, String(CALIBRATION_SAMPLES));

runMain('record-ranges', async () => {
  parseOrExit(program);
  const o = program.opts<{ model: string[]; samples: string }>();
  const n = Number(o.samples);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`invalid --samples '${o.samples}': an integer from 1 to 100000`);
  for (const dir of o.model) {
    const m = readManifest(dir);
    const batch = isImported(m) || !m.dataset ? probeBatch(m, n) : calibrationBatch(loadDataset(m.dataset.name, m.dataset.options), n);
    const out = await recordBundleRanges(dir, batch);
    const ranges = out.splitPoints.filter((p) => p.range).map((p) => `${p.name} [${p.range!.min}, ${p.range!.max}]`);
    process.stdout.write(`${dir}: ${batch.shape[0]} samples: ${ranges.join(', ')}\n`);
  }
});
