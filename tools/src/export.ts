/**
 * Exports a bundle's cloud halves for an inference platform:
 *   npm run export -- --format triton --model models/multimnist-resnet --out out/triton
 * writes a Triton model repository (one model per split point and tensor form; tools/README.md, "Export").
 */
import { z } from 'zod';
import { choiceOption, createProgram, intOption, parseOptions, runMain, UsageError } from '@mtl-split/cli';
import { readManifest } from '@mtl-split/model';
import { exportTriton, pointsProblem } from './export/triton-repo.js';
import { TENSOR_FORMS, type TensorForm } from './export/wire-forms.js';

export const EXPORT_FORMATS = ['triton'] as const;

const program = createProgram(
  'export',
  "Write a bundle's cloud halves as a model repository an inference platform serves (Triton, KServe's Triton runtime).",
)
  .requiredOption('--format <name>', `repository format: ${EXPORT_FORMATS.join(', ')}`)
  .requiredOption('--model <dir>', 'model bundle folder (with model.onnx)')
  .requiredOption('--out <dir>', 'repository folder (created; models of the same name are overwritten)')
  .option('--forms <list>', `tensor forms the cloud halves accept, comma-separated: ${TENSOR_FORMS.join(', ')}`, TENSOR_FORMS.join(','))
  .option('--points <list>', 'split points to export, comma-separated (default: all)')
  .option('--max-batch <n>', 'max_batch_size of every model (dynamic batching up to it)', '8')
  .option('--queue-delay-us <n>', 'dynamic batching: longest wait for more requests, microseconds', '0');

const formsOption = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(choiceOption('--forms', TENSOR_FORMS)).min(1, { message: `--forms names no form: valid are ${TENSOR_FORMS.join(', ')}` }));

const schema = z.object({
  format: choiceOption('--format', EXPORT_FORMATS),
  model: z.string().min(1),
  out: z.string().min(1),
  forms: formsOption,
  points: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .optional(),
  maxBatch: intOption('--max-batch', 1, 4096),
  queueDelayUs: intOption('--queue-delay-us', 0, 60_000_000),
});

runMain('export', async () => {
  const o = parseOptions(program, process.argv.slice(2), schema);
  const forms: TensorForm[] = [...new Set(o.forms)];
  const problem = pointsProblem(readManifest(o.model), o.points);
  if (problem) throw new UsageError(problem);
  const models = exportTriton({
    model: o.model,
    out: o.out,
    forms,
    points: o.points,
    maxBatchSize: o.maxBatch,
    queueDelayUs: o.queueDelayUs,
  });
  for (const m of models)
    process.stdout.write(`${m.dir}: ${m.inputs.map((t) => `${t.name} ${t.dataType} [${t.dims.join(',')}]`).join(', ')}\n`);
  process.stdout.write(`export: ${models.length} models in ${o.out} (Triton, onnxruntime_onnx, max_batch_size ${o.maxBatch})\n`);
});
