/**
 * Imports a multi-task ONNX network (exported from PyTorch, Keras via tf2onnx, ...) as a bundle that
 * plan, cloud, edge and experiment run like our own:
 *   npm run import -- --onnx net.onnx --out models/NAME [--task seg=segmentation --task objects=detection:boxes,scores]
 *     [--tasks age:3,gender:2] [--input-shape 3,224,224] [--preprocess '{"mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225]}']
 *     [--class-names names.json] [--points 'PATTERN,...'] [--max-tensors 4]
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { createProgram, parseOrExit, runMain, UsageError } from '@mtl-split/cli';
import { readManifest, writeBundleDir, type Manifest } from '@mtl-split/model';
import { formatSplitTable } from '@mtl-split/model';
import { analyzeOnnx, type ImportOptions } from './import/analyze.js';
import { Problems } from './import/problems.js';
import { importRanges } from './import/ranges.js';
import { verifyPoints, SPLIT_TOLERANCE } from './import/verify.js';
import { parseTaskFlags } from './import/task-flags.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

const program = createProgram(
  'import',
  'Import a multi-task ONNX network as a model bundle (manifest.json + model.onnx): tasks from its outputs, every split point found.',
)
  .requiredOption('--onnx <file>', 'the ONNX file (inputs: an image batch first, then any; outputs: one or more per task)')
  .requiredOption('--out <dir>', 'bundle folder to write, e.g. models/my-net (its name is the bundle id)')
  .option(
    '--task <spec>',
    'NAME=KIND[:OUTPUT,...] (repeatable): a task of kind classification, segmentation, dense or detection owning the outputs listed (default: the output NAME); needed where an output shape is ambiguous, e.g. --task seg=segmentation --task objects=detection:boxes,scores',
    collect,
  )
  .option('--tasks <list>', 'NAME:CLASSES,... in output order, checked against the graph (networks whose outputs are all classifiers)')
  .option(
    '--input-shape <dims>',
    "per-sample input shape in the input's layout order, e.g. 3,224,224 (needed when the graph leaves it dynamic)",
  )
  .option('--layout <layout>', 'input layout NCHW or NHWC (default: guessed from the channel dimension)')
  .option(
    '--preprocess <json>',
    'how an 8-bit image becomes the input: {"mean":[...],"std":[...]} per channel, value = (pixel/255 - mean)/std (default mean 0, std 1)',
  )
  .option('--class-names <file>', 'JSON {"task": ["name", ...], ...} (default: class indices)')
  .option(
    '--points <list>',
    "comma-separated split point names, globs ('*') or /regex/ swept by default by --split all, plan and scenarios (default: all)",
  )
  .option('--max-tensors <n>', 'most tensors crossing a split point (default 4): cuts through more skip connections are left out')
  .option('--force', 'replace an existing --out folder');

interface Flags {
  onnx: string;
  out: string;
  task?: string[];
  tasks?: string;
  maxTensors?: string;
  inputShape?: string;
  layout?: string;
  preprocess?: string;
  classNames?: string;
  points?: string;
  force?: boolean;
}

const preprocessSchema = z.object({ mean: z.array(z.number()).min(1), std: z.array(z.number().positive()).min(1) }).strict();
const classNamesSchema = z.record(z.string(), z.array(z.string().min(1)).min(2));

function parseFlags(f: Flags): { file: string; opts: ImportOptions } {
  if (!existsSync(f.onnx) || !statSync(f.onnx).isFile()) throw new UsageError(`--onnx ${f.onnx}: no such file`);
  if (existsSync(f.out) && !f.force) throw new UsageError(`--out ${f.out} exists: choose another folder or pass --force`);
  const id = basename(f.out.replace(/\/+$/, ''));
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id))
    throw new UsageError(`--out ${f.out}: the folder name '${id}' is the bundle id: letters, digits, '.', '_' and '-'`);
  const opts: ImportOptions = { id };
  if (f.task !== undefined) {
    const problems = new Problems();
    opts.taskFlags = parseTaskFlags(f.task, problems);
    problems.check('', (m) => new UsageError(m));
  }
  if (f.maxTensors !== undefined) {
    const n = Number(f.maxTensors);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`invalid --max-tensors '${f.maxTensors}': an integer in 1..64`);
    opts.maxTensors = n;
  }
  if (f.tasks !== undefined) {
    opts.tasks = f.tasks.split(',').map((t) => {
      const m = /^([A-Za-z][A-Za-z0-9_-]*):(\d+)$/.exec(t.trim());
      if (!m || Number(m[2]) < 2)
        throw new UsageError(`invalid --tasks item '${t}': expected NAME:CLASSES with CLASSES >= 2, e.g. age:3,gender:2`);
      return { name: m[1], classes: Number(m[2]) };
    });
  }
  if (f.inputShape !== undefined) {
    const d = f.inputShape.split(',').map((x) => Number(x.trim()));
    if (d.length !== 3 || d.some((x) => !Number.isInteger(x) || x < 1 || x > 16384))
      throw new UsageError(`invalid --input-shape '${f.inputShape}': expected three positive integers, e.g. 3,224,224`);
    opts.inputShape = d as [number, number, number];
  }
  if (f.layout !== undefined) {
    if (f.layout !== 'NCHW' && f.layout !== 'NHWC') throw new UsageError(`invalid --layout '${f.layout}': valid are NCHW, NHWC`);
    opts.layout = f.layout;
  }
  if (f.preprocess !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(f.preprocess);
    } catch {
      throw new UsageError(`invalid --preprocess: not JSON (expected {"mean":[...],"std":[...]})`);
    }
    const r = preprocessSchema.safeParse(raw);
    if (!r.success)
      throw new UsageError(
        `invalid --preprocess at ${r.error.issues[0].path.join('.') || '(root)'}: ${r.error.issues[0].message} (expected {"mean":[...],"std":[...]}, std > 0)`,
      );
    opts.preprocess = r.data;
  }
  if (f.classNames !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(f.classNames, 'utf8'));
    } catch (err) {
      throw new UsageError(
        `--class-names ${f.classNames}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not JSON'}`,
      );
    }
    const r = classNamesSchema.safeParse(raw);
    if (!r.success)
      throw new UsageError(
        `--class-names ${f.classNames} at ${r.error.issues[0].path.join('.') || '(root)'}: ${r.error.issues[0].message} (expected {"task": ["name", ...]})`,
      );
    opts.classNames = r.data;
  }
  if (f.points !== undefined) {
    opts.points = f.points
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!opts.points.length) throw new UsageError('invalid --points: empty');
  }
  return { file: f.onnx, opts };
}

runMain('import', async () => {
  parseOrExit(program);
  const f = program.opts<Flags>();
  const { file, opts } = parseFlags(f);
  const t0 = performance.now();
  opts.log = (line) => process.stderr.write(`import: ${line}\n`);
  const { manifest, onnx } = await analyzeOnnx(new Uint8Array(readFileSync(file)), file, opts);
  // each split point's value range over seeded probe inputs: the cloud refuses frames far outside it
  manifest.splitPoints = await importRanges(onnx, manifest);
  opts.log(`${basename(file)}: checking cloud(edge(x)) against the whole network at every split point`);
  const diff = await verifyPoints(onnx, manifest);
  opts.log(
    `every split point's raw outputs equal the whole network's (largest difference ${diff.toExponential(1)}, tolerance ${SPLIT_TOLERANCE} relative)`,
  );
  writeBundleDir(f.out, { 'model.onnx': onnx, 'manifest.json': `${JSON.stringify(manifest, null, 2)}\n` });
  readManifest(f.out); // what was written validates
  process.stdout.write(`${formatSplitTable(manifest.splitPoints)}\n\n${crossing(manifest)}`);
  process.stdout.write(`import: wrote ${f.out}: ${summary(manifest)}, in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
});

/** The tensors crossing each point that several cross (the table shows the first one's shape), one line a point. */
function crossing(m: Manifest): string {
  const lines = m.splitPoints
    .filter((p) => p.tensors)
    .map(
      (p) =>
        `  ${p.name}: ${p.tensors!.map((t) => `${t.name} [${t.shape.join(',')}]${t.dtype === 'float32' ? '' : ` ${t.dtype}`}`).join(', ')}`,
    );
  return lines.length ? `split points crossed by several tensors (bytes/sample is their sum):\n${lines.join('\n')}\n\n` : '';
}

/** The written bundle in one line: tasks (kind, classes or output shapes), inputs, batch, split points. */
function summary(m: Manifest): string {
  const task = (t: Manifest['tasks'][number]): string => {
    const kind = t.kind ?? 'classification';
    if (kind === 'classification') return `${t.name}:${t.classes.length}`;
    const outs = (t.outputs ?? []).map((o) => `${o.name} [${o.shape.join(',')}]`).join(' + ');
    return `${t.name} (${kind}${kind === 'segmentation' ? `, ${t.classes.length} classes` : ''}: ${outs})`;
  };
  const inputs = (m.inputs ?? [{ name: m.onnx!.input, shape: m.inputShape, dtype: 'float32' }]).map(
    (i, k) => `${i.name} [${i.shape.join(',')}]${i.dtype === 'float32' ? '' : ` ${i.dtype}`}${k === 0 ? ` ${m.onnx!.layout}` : ''}`,
  );
  const candidates = m.splitPoints.filter((p) => p.candidate !== false).length;
  const multi = m.splitPoints.filter((p) => p.tensors && p.name !== 'input').length;
  return (
    `tasks ${m.tasks.map(task).join(', ')}, input${inputs.length > 1 ? 's' : ''} ${inputs.join(', ')}, ` +
    `${m.batch === 'one' ? 'batch 1 only (the cloud runs its requests one sample at a time), ' : ''}` +
    `${m.splitPoints.length} split points (${multi ? `${multi} crossed by several tensors, ` : ''}${candidates} swept by default)`
  );
}
