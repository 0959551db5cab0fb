/**
 * `--inputs`: the samples of a bundle without a dataset. One source for a one-input network, or one per
 * input as `NAME=SOURCE`: 'random' (seeded), a folder of PNG/JPEG files; or a labelled test set folder
 * (labels.json: every input and the labels, packages/data/src/testset/README.md), which gives every input.
 * Problems are listed together, each naming the file, field or flag.
 */
import { isTestset, mulberry32, randomImages, readImageInputs, readTestset, type ImageInputSpec, type Testset } from '@mtl-split/data';
import type { InputSpec, SplitNetwork, TaskInfo } from '@mtl-split/model/infer';
import { EdgeError } from './edge-error.js';
import type { NamedSample, SampleSource } from './samples.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** How 8-bit images become this input (a uint8 input takes the pixel values 0..255 themselves); undefined when it is no image. */
function imageSpec(i: InputSpec): ImageInputSpec | undefined {
  if (i.shape.length !== 3) return undefined;
  const [h, w, c] = i.layout === 'NHWC' ? i.shape : [i.shape[1], i.shape[2], i.shape[0]];
  if (c !== 1 && c !== 3) return undefined;
  const uint8 = i.dtype === 'uint8';
  return {
    height: h,
    width: w,
    channels: c,
    layout: i.layout,
    mean: uint8 ? Array<number>(c).fill(0) : i.preprocess.mean,
    std: uint8 ? Array<number>(c).fill(1 / 255) : i.preprocess.std,
  };
}

/** Whether an input takes integers (uint8 pixels 0..255, int64), which random and image values are rounded to. */
const integral = (i: InputSpec) => i.dtype === 'uint8' || i.dtype === 'int64';

/** Seeded random values of one input: float images as the preprocessing makes them, integers 0..255 for integer inputs, else uniform [0, 1). */
function* randomOf(i: InputSpec, n: number, seed: number): Generator<Float32Array> {
  const spec = imageSpec(i);
  if (spec && !integral(i)) {
    for (const s of randomImages(n, seed, spec)) yield s.x;
    return;
  }
  const rnd = mulberry32(seed);
  const k = size(i.shape);
  for (let j = 0; j < n; j++)
    yield Float32Array.from({ length: k }, () => (i.dtype === 'uint8' || i.dtype === 'int64' ? Math.floor(rnd() * 256) : rnd()));
}

/** `NAME=SOURCE` pairs (or one bare source for a one-input network), checked against the network's inputs. */
function sourcesOf(given: readonly string[], net: SplitNetwork): string[] {
  const names = net.inputs.map((i) => i.name);
  if (given.length === 1 && !/^[^=/]+=/.test(given[0]) && (names.length === 1 || given[0] === 'random')) return names.map(() => given[0]);
  const problems: string[] = [];
  const by = new Map<string, string>();
  for (const g of given) {
    const m = /^([^=]+)=(.+)$/.exec(g);
    if (!m) problems.push(`'${g}' is not NAME=SOURCE`);
    else if (!names.includes(m[1])) problems.push(`'${m[1]}' is not an input of model '${net.id}'`);
    else by.set(m[1], m[2]);
  }
  for (const n of names) if (!by.has(n) && problems.length === 0) problems.push(`no source for input '${n}'`);
  if (problems.length)
    throw new EdgeError(
      `invalid --inputs: ${problems.join('; ')} (the model's inputs: ${names.join(', ')}; give one NAME=random|DIR each)`,
    );
  return names.map((n) => by.get(n)!);
}

/** Samples of one source per input (random or an image folder), zipped: sample i takes the i-th of each. */
async function perInput(sources: string[], net: SplitNetwork, n: number): Promise<SampleSource> {
  const inputs = net.inputs;
  if (sources.every((s) => s === 'random')) {
    // made one at a time (a long run holds one sample, not all of them)
    const make = function* (k: number): Generator<NamedSample> {
      const gens = inputs.map((inp, j) => randomOf(inp, k, 1 + j));
      for (let i = 0; i < k; i++) {
        const xs = gens.map((g) => g.next().value as Float32Array);
        yield { name: `random-${i}`, x: xs.length === 1 ? xs[0] : xs };
      }
    };
    return { kind: 'generated', count: n, make };
  }
  const columns: Float32Array[][] = [];
  const names: string[] = [];
  for (const [j, src] of sources.entries()) {
    if (src === 'random') columns.push([...randomOf(inputs[j], n, 1 + j)]);
    else {
      const spec = imageSpec(inputs[j]);
      if (!spec)
        throw new EdgeError(
          `--inputs ${inputs[j].name}=${src}: input '${inputs[j].name}' of shape [${inputs[j].shape.join(',')}] is no 1- or 3-channel image`,
        );
      const files = await readImageInputs(src, spec, n);
      // a uint8 input takes the pixel values themselves: exact integers
      columns.push(files.map((f) => (integral(inputs[j]) ? f.x.map(Math.round) : f.x)));
      if (!names.length) names.push(...files.map((f) => f.name));
    }
  }
  const count = Math.min(...columns.map((c) => c.length));
  return {
    kind: 'inputs',
    inputs: [
      ...zip(
        columns.map((c) => c.slice(0, count)),
        (i) => names[i] ?? `random-${i}`,
      ),
    ],
  };
}

function* zip(columns: Float32Array[][], name: (i: number) => string): Generator<NamedSample> {
  const n = Math.min(...columns.map((c) => c.length));
  for (let i = 0; i < n; i++) yield { name: name(i), x: columns.length === 1 ? columns[0][i] : columns.map((c) => c[i]) };
}

/** The class map shape [H, W] of a segmentation task's first output. */
function mapShape(t: TaskInfo): number[] {
  const o = t.outputs[0];
  return o.layout === 'NHWC' ? o.shape.slice(0, 2) : o.shape.slice(1);
}

/** Problems of a test set's labels against the network's tasks (a label of a task the model lacks is ignored). */
function labelProblems(ts: Testset, tasks: readonly TaskInfo[]): string[] {
  const problems: string[] = [];
  for (const t of tasks) {
    const l = ts.labels[t.name];
    if (!l) continue;
    const field = `labels.${t.name}`;
    if (t.kind === 'classification' && l.kind !== 'classes')
      problems.push(`${field}: task '${t.name}' is a classification: class indices expected`);
    else if (t.kind === 'classification' && l.kind === 'classes' && l.values.some((v) => v >= t.classes.length))
      problems.push(`${field}: class indices must be below ${t.classes.length} (the classes of '${t.name}')`);
    else if (t.kind === 'segmentation' && (l.kind !== 'map' || size(l.shape) !== size(mapShape(t))))
      problems.push(`${field}: task '${t.name}' is a segmentation: a uint8 class map of [${mapShape(t).join(',')}] per sample expected`);
    else if (t.kind === 'dense' && (l.kind !== 'map' || size(l.shape) !== size(t.outputs[0].shape)))
      problems.push(
        `${field}: task '${t.name}' is dense: values of [${t.outputs[0].shape.join(',')}] (output '${t.outputs[0].name}') per sample expected`,
      );
  }
  return problems;
}

/** A labelled test set folder as the samples of `net`: its inputs matched by name (or the one to the one), its labels checked. */
function testsetSource(dir: string, net: SplitNetwork): SampleSource {
  const ts = readTestset(dir);
  const problems: string[] = [];
  const one = ts.inputs.length === 1 && net.inputs.length === 1;
  const order = net.inputs.map((inp) => (one ? 0 : ts.inputs.findIndex((t) => t.name === inp.name)));
  order.forEach((k, j) => {
    const inp = net.inputs[j];
    if (k < 0) problems.push(`inputs: no input '${inp.name}' (the test set has ${ts.inputs.map((t) => t.name).join(', ')})`);
    else if (size(ts.inputs[k].shape) !== size(inp.shape))
      problems.push(`inputs.${k}.shape: [${ts.inputs[k].shape.join(',')}] for input '${inp.name}' of [${inp.shape.join(',')}]`);
  });
  problems.push(...labelProblems(ts, net.tasks));
  if (problems.length) throw new EdgeError(`${dir}/labels.json does not fit model '${net.id}': ${problems.join('; ')}`);
  return { kind: 'testset', testset: ts, order };
}

/** The samples `--inputs` names for `net` (n at most). */
export async function inputsSource(given: string | readonly string[], net: SplitNetwork, n: number): Promise<SampleSource> {
  const list = typeof given === 'string' ? [given] : given;
  if (list.length === 1 && list[0] !== 'random' && !list[0].includes('=') && isTestset(list[0])) return testsetSource(list[0], net);
  return perInput(sourcesOf(list, net), net, n);
}
